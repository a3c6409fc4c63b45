# ctest driver of the find_package(zcgp) consumer: install the build tree's devel component into PREFIX, export a
# formula as C++ with its per-architecture values (zcgp export --values-csv), then configure, build and run
# tests/package against the installed tree. Arguments (-D): BUILD_DIR, SOURCE_DIR, WORK, GENERATOR, CLI, ROOT; the
# data directory is $ZCGP_DATA, else ROOT/data, as for every test.
set(prefix ${WORK}/prefix)
set(DATA $ENV{ZCGP_DATA})
if(NOT DATA)
  set(DATA ${ROOT}/data)
endif()
file(REMOVE_RECURSE ${WORK})
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${ARGN}")
    message(FATAL_ERROR "${shown}: exit ${rc}\n${out}\n${err}")
  endif()
endfunction()
step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component devel)
if(NOT EXISTS ${prefix}/lib/cmake/zcgp/zcgpConfig.cmake)
  message(FATAL_ERROR "no zcgpConfig.cmake under ${prefix}")
endif()
file(MAKE_DIRECTORY ${WORK}/exported)
step(${CLI} export --formula "log(nwot) + synflow * sigmoid(jacov) / snip" --task nb201/cifar10 --normalize none
     --data ${DATA} --name zc_proxy --out ${WORK}/exported/proxy.hpp --values-csv ${WORK}/exported/values.csv)
step(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK}/build -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Release
     -DCMAKE_PREFIX_PATH=${prefix} -DZCGP_EXPORTED_DIR=${WORK}/exported)
step(${CMAKE_COMMAND} --build ${WORK}/build)
step(${WORK}/build/consumer ${WORK}/exported/values.csv)
message(STATUS "the installed zcgp package builds a consumer, and its exported header agrees with the engine")
