# SPDX-License-Identifier: BSD-2-Clause
# fuzz_nms_web: the dashboard's session-cookie, CSRF-header and path parsers
# (src/nms/web.c; tests/fuzz/fuzz_nms_web.c). Included from tests/fuzz/CMakeLists.txt,
# which set fuzz_flags.
add_executable(fuzz_nms_web ${CMAKE_CURRENT_LIST_DIR}/fuzz_nms_web.c
               ${CMAKE_SOURCE_DIR}/src/nms/web.c ${CMAKE_SOURCE_DIR}/src/nms/log.c)
target_include_directories(fuzz_nms_web PRIVATE ${CMAKE_SOURCE_DIR}/src/nms
                           ${CMAKE_SOURCE_DIR}/src/internal)
target_compile_options(fuzz_nms_web PRIVATE ${fuzz_flags})
target_link_options(fuzz_nms_web PRIVATE ${fuzz_flags})
target_link_libraries(fuzz_nms_web PRIVATE qtpm_store PkgConfig::LIBEVENT PkgConfig::JANSSON
                      OpenSSL::Crypto)
set(web_work ${CMAKE_CURRENT_BINARY_DIR}/web-work)
file(MAKE_DIRECTORY ${web_work})
add_test(NAME fuzz_nms_web_seeds
         COMMAND fuzz_nms_web -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-web)
add_test(NAME fuzz_nms_web_run
         COMMAND fuzz_nms_web -max_total_time=15 -timeout=10 -rss_limit_mb=2048
                 ${web_work} ${CMAKE_CURRENT_LIST_DIR}/corpus-web)
set_tests_properties(fuzz_nms_web_seeds fuzz_nms_web_run PROPERTIES LABELS fuzz TIMEOUT 120)
add_dependencies(fuzz_all fuzz_nms_web)
