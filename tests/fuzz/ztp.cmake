# SPDX-License-Identifier: BSD-2-Clause
# fuzz_ztp: libqtpm-ztp's decoders of network input (src/ztp, docs/ZTP.md): on the device,
# the bootstrap server's reply, the voucher, the onboarding information and the whole CMS
# check; on the bootstrap server, the HTTP Basic identity and the two RPC inputs. One target
# dispatching on the first byte. Included from tests/fuzz/CMakeLists.txt (fuzz_flags).
if(TARGET qtpm_ztp)
  target_compile_options(qtpm_ztp PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  add_executable(fuzz_ztp ${CMAKE_CURRENT_LIST_DIR}/fuzz_ztp.c)
  target_compile_options(fuzz_ztp PRIVATE ${fuzz_flags})
  target_link_options(fuzz_ztp PRIVATE ${fuzz_flags})
  target_link_libraries(fuzz_ztp PRIVATE qtpm_ztp)
  set(ztp_work ${CMAKE_CURRENT_BINARY_DIR}/ztp-work)
  file(MAKE_DIRECTORY ${ztp_work})
  add_test(NAME fuzz_ztp_seeds COMMAND fuzz_ztp -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-ztp)
  add_test(NAME fuzz_ztp_run
           COMMAND fuzz_ztp -max_total_time=15 -timeout=10 -rss_limit_mb=2048 ${ztp_work}
                   ${CMAKE_CURRENT_LIST_DIR}/corpus-ztp)
  set_tests_properties(fuzz_ztp_seeds fuzz_ztp_run PROPERTIES LABELS fuzz TIMEOUT 120)
  add_dependencies(fuzz_all fuzz_ztp)
endif()
