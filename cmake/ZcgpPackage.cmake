# cmake --install: the engine's libraries and headers as a CMake package, for C++ users who embed the engine (trees,
# the interpreter, the evolution loop, rank statistics) or compile an exported formula next to it:
#
#   find_package(zcgp 0.1 REQUIRED)            # -DCMAKE_PREFIX_PATH=<install prefix>
#   target_link_libraries(app PRIVATE zcgp::engine)
#
# Targets: zcgp::fitness, zcgp::primitives, zcgp::engine (each pulls the ones below it, and Eigen, TBB, fmt).
# The benchmark loaders (proxy_cache, tasks) and the CLI stay internal: their data formats belong to the zcgp tool.
# tests/package/ is a consumer that a ctest test configures and builds against an installed tree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ZCGP_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/zcgp CACHE STRING "where zcgpConfig.cmake is installed")
install(TARGETS zcgp_fitness zcgp_primitives zcgp_engine EXPORT zcgpTargets COMPONENT devel
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(module fitness primitives engine)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${module}/include/zcgp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          COMPONENT devel)
endforeach()
# The targets keep their in-tree names behind the zcgp:: namespace (zcgp_engine -> zcgp::engine).
set_target_properties(zcgp_fitness PROPERTIES EXPORT_NAME fitness)
set_target_properties(zcgp_primitives PROPERTIES EXPORT_NAME primitives)
set_target_properties(zcgp_engine PROPERTIES EXPORT_NAME engine)
install(EXPORT zcgpTargets NAMESPACE zcgp:: DESTINATION ${ZCGP_INSTALL_CMAKEDIR} COMPONENT devel)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/zcgpConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cmake/zcgpConfig.cmake INSTALL_DESTINATION ${ZCGP_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/zcgpConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/zcgpConfig.cmake ${PROJECT_BINARY_DIR}/cmake/zcgpConfigVersion.cmake
        DESTINATION ${ZCGP_INSTALL_CMAKEDIR} COMPONENT devel)
