# SPDX-License-Identifier: BSD-2-Clause
# fuzz_wallet_cbor: the wallet's strict CBOR reader (src/wallet/cbor.c), which
# will parse WebAuthn attestation objects and COSE keys. Included from
# tests/fuzz/CMakeLists.txt, which set fuzz_flags. The reader has no
# dependencies, so the target compiles cbor.c itself.
add_executable(fuzz_wallet_cbor ${CMAKE_CURRENT_LIST_DIR}/fuzz_wallet_cbor.c
               ${CMAKE_SOURCE_DIR}/src/wallet/cbor.c)
target_include_directories(fuzz_wallet_cbor PRIVATE ${CMAKE_SOURCE_DIR}/src/wallet)
target_compile_options(fuzz_wallet_cbor PRIVATE ${fuzz_flags})
target_link_options(fuzz_wallet_cbor PRIVATE ${fuzz_flags})
set(wallet_work ${CMAKE_CURRENT_BINARY_DIR}/wallet-work)
file(MAKE_DIRECTORY ${wallet_work})
add_test(NAME fuzz_wallet_cbor_seeds
         COMMAND fuzz_wallet_cbor -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-wallet)
add_test(NAME fuzz_wallet_cbor_run
         COMMAND fuzz_wallet_cbor -max_total_time=15 -timeout=10 ${wallet_work}
                 ${CMAKE_CURRENT_LIST_DIR}/corpus-wallet)
set_tests_properties(fuzz_wallet_cbor_seeds fuzz_wallet_cbor_run
                     PROPERTIES LABELS fuzz TIMEOUT 120)
add_dependencies(fuzz_all fuzz_wallet_cbor)

# fuzz_wallet_cose: COSE_Key parsing into OpenSSL keys (webauthn.c).
add_executable(fuzz_wallet_cose ${CMAKE_CURRENT_LIST_DIR}/fuzz_wallet_cose.c
               ${CMAKE_SOURCE_DIR}/src/wallet/webauthn.c ${CMAKE_SOURCE_DIR}/src/wallet/cbor.c)
target_include_directories(fuzz_wallet_cose PRIVATE ${CMAKE_SOURCE_DIR}/src/wallet
                           ${CMAKE_SOURCE_DIR}/src/internal)
target_compile_options(fuzz_wallet_cose PRIVATE ${fuzz_flags})
target_link_options(fuzz_wallet_cose PRIVATE ${fuzz_flags})
target_link_libraries(fuzz_wallet_cose PRIVATE PkgConfig::JANSSON OpenSSL::Crypto)
set(cose_work ${CMAKE_CURRENT_BINARY_DIR}/cose-work)
file(MAKE_DIRECTORY ${cose_work})
add_test(NAME fuzz_wallet_cose_seeds
         COMMAND fuzz_wallet_cose -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-wallet)
add_test(NAME fuzz_wallet_cose_run
         COMMAND fuzz_wallet_cose -max_total_time=15 -timeout=10 ${cose_work}
                 ${CMAKE_CURRENT_LIST_DIR}/corpus-wallet)
set_tests_properties(fuzz_wallet_cose_seeds fuzz_wallet_cose_run
                     PROPERTIES LABELS fuzz TIMEOUT 120)
add_dependencies(fuzz_all fuzz_wallet_cose)

# fuzz_wallet_attest: registration and assertion parsing (webauthn.c).
add_executable(fuzz_wallet_attest ${CMAKE_CURRENT_LIST_DIR}/fuzz_wallet_attest.c
               ${CMAKE_SOURCE_DIR}/src/wallet/webauthn.c ${CMAKE_SOURCE_DIR}/src/wallet/cbor.c)
target_include_directories(fuzz_wallet_attest PRIVATE ${CMAKE_SOURCE_DIR}/src/wallet
                           ${CMAKE_SOURCE_DIR}/src/internal)
target_compile_options(fuzz_wallet_attest PRIVATE ${fuzz_flags})
target_link_options(fuzz_wallet_attest PRIVATE ${fuzz_flags})
target_link_libraries(fuzz_wallet_attest PRIVATE PkgConfig::JANSSON OpenSSL::Crypto)

# fuzz_wallet_service: the service's HTTP bodies (service.c) without a vault.
pkg_check_modules(LIBFIDO2 REQUIRED IMPORTED_TARGET libfido2)
add_executable(fuzz_wallet_service ${CMAKE_CURRENT_LIST_DIR}/fuzz_wallet_service.c
               ${CMAKE_CURRENT_LIST_DIR}/wallet_vault_stub.c
               ${CMAKE_SOURCE_DIR}/src/wallet/service.c ${CMAKE_SOURCE_DIR}/src/wallet/softauth.c
               ${CMAKE_SOURCE_DIR}/src/wallet/webauthn.c ${CMAKE_SOURCE_DIR}/src/wallet/cbor.c)
target_include_directories(fuzz_wallet_service PRIVATE ${CMAKE_SOURCE_DIR}/src/wallet
                           ${CMAKE_SOURCE_DIR}/src/internal ${CMAKE_SOURCE_DIR}/include)
target_compile_options(fuzz_wallet_service PRIVATE ${fuzz_flags})
target_link_options(fuzz_wallet_service PRIVATE ${fuzz_flags})
target_link_libraries(fuzz_wallet_service PRIVATE PkgConfig::JANSSON PkgConfig::SQLITE3
                      PkgConfig::LIBFIDO2 OpenSSL::Crypto)

foreach(t attest service)
  set(work ${CMAKE_CURRENT_BINARY_DIR}/wallet-${t}-work)
  file(MAKE_DIRECTORY ${work})
  add_test(NAME fuzz_wallet_${t}_seeds
           COMMAND fuzz_wallet_${t} -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-wallet-${t})
  add_test(NAME fuzz_wallet_${t}_run
           COMMAND fuzz_wallet_${t} -max_total_time=15 -timeout=10 ${work}
                   ${CMAKE_CURRENT_LIST_DIR}/corpus-wallet-${t})
  set_tests_properties(fuzz_wallet_${t}_seeds fuzz_wallet_${t}_run
                       PROPERTIES LABELS fuzz TIMEOUT 120)
  add_dependencies(fuzz_all fuzz_wallet_${t})
endforeach()
