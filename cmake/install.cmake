# SPDX-License-Identifier: BSD-2-Clause
# What `cmake --install` (and `make install PREFIX=...`) puts where (README
# "Installing"): the programs, the public headers, two shared libraries with
# sonames and their pkg-config files, man pages made from the programs' --help
# texts, bash completion, and systemd units for qtpm-server.
#
# Shared libraries. The in-tree build links static archives (tests, programs);
# the installed libraries are made from the same objects:
#   libqtss        the TSS (libqtss, qtpm/tss*.h) with the crypto and
#                  marshalling it needs (qtpm/mldsa.h, mlkem.h, marshal.h ...);
#                  no TPM inside.
#   libqtpm-engine the TPM engine (qtpm/engine.h) with the lattice DAA
#                  arithmetic its vendor commands use, and the in-process
#                  "engine:" TCTI; it links libqtss for crypto and marshalling.
# While the major version is 0 the minor version breaks compatibility
# (CHANGELOG.md), so the soname carries both: libqtss.so.0.2.
include(GNUInstallDirs)

set(QTPM_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})

add_library(qtss SHARED $<TARGET_OBJECTS:qtpm_tss> $<TARGET_OBJECTS:qtpm_marshal>
            $<TARGET_OBJECTS:qtpm_crypto>)
target_link_libraries(qtss PRIVATE OpenSSL::Crypto)
set_target_properties(qtss PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION ${QTPM_SOVERSION}
                      OUTPUT_NAME qtss)

add_library(qtpm_engine_shared SHARED $<TARGET_OBJECTS:qtpm_engine>
            $<TARGET_OBJECTS:qtpm_ldaa> $<TARGET_OBJECTS:qtpm_tss_engine>)
target_link_libraries(qtpm_engine_shared PRIVATE qtss OpenSSL::Crypto PkgConfig::JANSSON)
set_target_properties(qtpm_engine_shared PROPERTIES VERSION ${PROJECT_VERSION}
                      SOVERSION ${QTPM_SOVERSION} OUTPUT_NAME qtpm-engine)
# Both must resolve every symbol at link time: a missing object shows here,
# not in a user's program. (Not with sanitizers: an instrumented library takes
# the sanitizer runtime from the program that loads it.)
if(NOT QTPM_SANITIZE AND NOT QTPM_FUZZ)
  target_link_options(qtss PRIVATE "LINKER:--no-undefined")
  target_link_options(qtpm_engine_shared PRIVATE "LINKER:--no-undefined")
endif()

install(TARGETS qtss qtpm_engine_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

# The programs are linked with the static archives, so they need no library
# path at run time.
set(qtpm_programs qtpm qtpm-server qtpm-manufacture qtpm-nms qtpm-agent qtpm-digestlist qtpm-daa
    qtpm-ztp qtpm-wallet qtpm-wallet-client)
foreach(p ${qtpm_programs})
  if(TARGET ${p})
    install(TARGETS ${p} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
install(CODE "execute_process(COMMAND ${CMAKE_COMMAND} -E create_symlink qtpm-server
              \$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/tpm_server)")

# Public headers: the whole include/qtpm/ and the generated version.h.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/qtpm DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_BINARY_DIR}/include/qtpm/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/qtpm)

# pkg-config files, relocatable: the prefix is found from the .pc file's own
# place (${pcfiledir}), so `cmake --install --prefix DIR` works for any DIR.
file(RELATIVE_PATH QTPM_PC_TO_PREFIX "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig"
     "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" QTPM_PC_TO_PREFIX "${QTPM_PC_TO_PREFIX}")
foreach(pc qtpm-tss qtpm-engine)
  configure_file(${CMAKE_SOURCE_DIR}/dist/${pc}.pc.in ${CMAKE_BINARY_DIR}/dist/${pc}.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/dist/${pc}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

# Man pages from --help (help2man, installed by scripts/deps.sh). Without
# help2man the build still works and says that the pages are missing.
set(qtpm_name_qtpm "TPM 2.0 command-line tool (tpm2-tools compatible, with ML-KEM and ML-DSA)")
set(qtpm_name_qtpm-server "software TPM 2.0 with post-quantum algorithms (mssim and swtpm protocols)")
set(qtpm_name_qtpm-manufacture "provision a TPM: vendor CA, EK certificates in NV")
set(qtpm_name_qtpm-nms "network management system and RA server for trusted routers")
set(qtpm_name_qtpm-agent "router agent: measurement, enrolment and attestation with the TPM")
set(qtpm_name_qtpm-digestlist "build, sign, verify and show reference digest lists")
set(qtpm_name_qtpm-daa "ECDAA direct anonymous attestation: issuer, join, sign, verify, link")
set(qtpm_name_qtpm-ztp "secure zero-touch provisioning (RFC 8572): vouchers, onboarding information, bootstrap server")
set(qtpm_name_qtpm-wallet "TPM-backed token vault and its HTTPS + WebAuthn service")
set(qtpm_name_qtpm-wallet-client "script client of the wallet service (software key or FIDO2 token)")
find_program(HELP2MAN help2man)
if(HELP2MAN)
  foreach(p ${qtpm_programs})
    if(TARGET ${p})
      add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/man/${p}.1
        COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
        COMMAND ${HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
                "--name=${qtpm_name_${p}}" --source=qtpm --output=${CMAKE_BINARY_DIR}/man/${p}.1
                $<TARGET_FILE:${p}>
        DEPENDS ${p} VERBATIM)
      list(APPEND qtpm_manpages ${CMAKE_BINARY_DIR}/man/${p}.1)
    endif()
  endforeach()
  add_custom_target(man ALL DEPENDS ${qtpm_manpages})
  install(FILES ${qtpm_manpages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(WARNING "help2man not found: no man pages (scripts/deps.sh installs it)")
endif()

# bash completion and systemd units.
install(FILES ${CMAKE_SOURCE_DIR}/dist/qtpm.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME qtpm)
foreach(p qtpm-server qtpm-manufacture qtpm-nms qtpm-agent qtpm-digestlist)
  install(CODE "execute_process(COMMAND ${CMAKE_COMMAND} -E create_symlink qtpm
                \$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/bash-completion/completions/${p})")
endforeach()
configure_file(${CMAKE_SOURCE_DIR}/dist/qtpm-server.service.in
               ${CMAKE_BINARY_DIR}/dist/qtpm-server.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/dist/qtpm-server.service
              ${CMAKE_SOURCE_DIR}/dist/qtpm-server.socket
        DESTINATION lib/systemd/system)
configure_file(${CMAKE_SOURCE_DIR}/dist/qtpm-nms.service.in
               ${CMAKE_BINARY_DIR}/dist/qtpm-nms.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/dist/qtpm-nms.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/dist/nms.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/qtpm)

# qtpm-provider (docs/PROVIDER.md): the OpenSSL 3 module qtpm.so goes to
# QTPM_OSSL_MODULESDIR, by default <libdir>/ossl-modules under the prefix.
# With --prefix /usr on Debian that is OpenSSL's own MODULESDIR
# (/usr/lib/x86_64-linux-gnu/ossl-modules, `openssl version -m`), where
# `-provider qtpm` finds it with no path; under another prefix
# (/usr/local/lib/ossl-modules) give -provider-path or the module's full path
# in openssl.cnf. An example openssl.cnf naming the installed module goes to
# <datadir>/qtpm/qtpm-provider.cnf.
if(TARGET qtpm_provider)
  set(QTPM_OSSL_MODULESDIR "${CMAKE_INSTALL_LIBDIR}/ossl-modules" CACHE STRING
      "Where qtpm-provider's qtpm.so is installed (relative to the prefix, or absolute)")
  install(TARGETS qtpm_provider LIBRARY DESTINATION ${QTPM_OSSL_MODULESDIR})
  if(IS_ABSOLUTE "${QTPM_OSSL_MODULESDIR}")
    set(QTPM_PROVIDER_MODULE "${QTPM_OSSL_MODULESDIR}/qtpm.so")
  else()
    set(QTPM_PROVIDER_MODULE "${CMAKE_INSTALL_PREFIX}/${QTPM_OSSL_MODULESDIR}/qtpm.so")
  endif()
  set(QTPM_PROVIDER_CNF "${CMAKE_INSTALL_FULL_DATADIR}/qtpm/qtpm-provider.cnf")
  configure_file(${CMAKE_SOURCE_DIR}/dist/qtpm-provider.cnf.in
                 ${CMAKE_BINARY_DIR}/dist/qtpm-provider.cnf @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/dist/qtpm-provider.cnf
          DESTINATION ${CMAKE_INSTALL_DATADIR}/qtpm)
endif()
