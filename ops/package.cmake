# `make package`: the Debian package. What is installed where follows DESIGN.md "Operations";
# the maintainer scripts and the account are in ops/debian.
set(HEARTH_DEBIAN_DIR ${PROJECT_SOURCE_DIR}/ops/debian)

install(TARGETS hearthd RUNTIME DESTINATION sbin)
# Runs a plugin in a child process (`isolation: process`); hearthd looks for it beside itself.
install(TARGETS hearth-plugin-host RUNTIME DESTINATION sbin)
# The connector plugins install themselves (hearth_add_connector).
install(FILES config/bank_holidays_england.csv DESTINATION share/hearth)
install(DIRECTORY config/schemas DESTINATION share/hearth)
install(FILES ops/hearthd.yaml DESTINATION /etc/hearth
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES config/hearthd.example.yaml DESTINATION /etc/hearth)
install(FILES ops/hearthd.service DESTINATION /lib/systemd/system)
install(FILES ${HEARTH_DEBIAN_DIR}/sysusers.conf DESTINATION lib/sysusers.d RENAME hearth.conf)
install(FILES ops/hearthd.bash-completion DESTINATION share/bash-completion/completions
        RENAME hearthd)
install(FILES README.md ops/RUNBOOK.md ${HEARTH_DEBIAN_DIR}/copyright
        DESTINATION share/doc/hearth)

# Debian wants its changelog and man pages compressed reproducibly (gzip -n).
configure_file(${HEARTH_DEBIAN_DIR}/changelog.in ${CMAKE_BINARY_DIR}/package/changelog @ONLY)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/package/changelog.gz
  COMMAND gzip -9nf -k ${CMAKE_BINARY_DIR}/package/changelog
  DEPENDS ${CMAKE_BINARY_DIR}/package/changelog)
set(package_docs ${CMAKE_BINARY_DIR}/package/changelog.gz)

# hearthd(8), written by help2man from --help and --version, with the sections they lack.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/package/hearthd.8.gz
    COMMAND ${HELP2MAN} --section=8 --no-info --no-discard-stderr
            --include=${HEARTH_DEBIAN_DIR}/hearthd.h2m
            --output=${CMAKE_BINARY_DIR}/package/hearthd.8 $<TARGET_FILE:hearthd>
    COMMAND gzip -9nf ${CMAKE_BINARY_DIR}/package/hearthd.8
    DEPENDS hearthd ${HEARTH_DEBIAN_DIR}/hearthd.h2m
    COMMENT "Writing hearthd(8) with help2man")
  list(APPEND package_docs ${CMAKE_BINARY_DIR}/package/hearthd.8.gz)
  install(FILES ${CMAKE_BINARY_DIR}/package/hearthd.8.gz DESTINATION share/man/man8)
else()
  message(WARNING "help2man not found: the package will lack hearthd(8) (ops/install-deps.sh)")
endif()
add_custom_target(hearth_package_docs ALL DEPENDS ${package_docs})
# Everything the package holds, for `make package` to build without the test suite.
add_custom_target(package_contents DEPENDS hearthd ${HEARTH_SHIPPED_CONNECTORS} hearth_package_docs)
install(FILES ${CMAKE_BINARY_DIR}/package/changelog.gz DESTINATION share/doc/hearth)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hearth)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "Hearth maintainers <hearth-maintainers@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "council data-integration daemon")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "hearthd reads an English council's source systems (children's services returns,\n the school census, housing and adult social care exports, case-system\n databases) through connector plugins, publishes their records pseudonymised\n to Kafka, links them into one view per person and computes the council\n plan's indicators.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "odbc-postgresql, libsqliteodbc")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${HEARTH_DEBIAN_DIR}/conffiles ${HEARTH_DEBIAN_DIR}/postinst ${HEARTH_DEBIAN_DIR}/prerm
    ${HEARTH_DEBIAN_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES TRUE)
include(CPack)
