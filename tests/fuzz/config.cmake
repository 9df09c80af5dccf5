# SPDX-License-Identifier: BSD-2-Clause
# fuzz_nms_config: qtpm-nms's YAML configuration parser (src/nms/config.c;
# tests/fuzz/fuzz_nms_config.c). Included from tests/fuzz/CMakeLists.txt, which set
# fuzz_flags.
add_executable(fuzz_nms_config ${CMAKE_CURRENT_LIST_DIR}/fuzz_nms_config.c
               ${CMAKE_SOURCE_DIR}/src/nms/config.c)
target_include_directories(fuzz_nms_config PRIVATE ${CMAKE_SOURCE_DIR}/src/nms)
target_compile_options(fuzz_nms_config PRIVATE ${fuzz_flags})
target_link_options(fuzz_nms_config PRIVATE ${fuzz_flags})
target_link_libraries(fuzz_nms_config PRIVATE qtpm_store PkgConfig::YAML)
set(config_work ${CMAKE_CURRENT_BINARY_DIR}/config-work)
file(MAKE_DIRECTORY ${config_work})
add_test(NAME fuzz_nms_config_seeds
         COMMAND fuzz_nms_config -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-config)
add_test(NAME fuzz_nms_config_run
         COMMAND fuzz_nms_config -max_total_time=15 -timeout=10 -rss_limit_mb=2048
                 ${config_work} ${CMAKE_CURRENT_LIST_DIR}/corpus-config)
set_tests_properties(fuzz_nms_config_seeds fuzz_nms_config_run PROPERTIES LABELS fuzz
                     TIMEOUT 120)
add_dependencies(fuzz_all fuzz_nms_config)
