# zcgp_set_warnings(target): project warning flags, optionally as errors, plus sanitizers.
function(zcgp_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                           -Wimplicit-fallthrough)
  if(ZCGP_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(ZCGP_SANITIZERS)
  # GCC 12 reports false -Wmaybe-uninitialized inside libstdc++ (std::regex, std::function) once ASan's
  # instrumentation is on; the warning stays on in every other build.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
                      -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
endif()

if(ZCGP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ZCGP_FUZZ needs clang (libFuzzer): configure with the fuzz preset")
  endif()
  # Coverage instrumentation for libFuzzer in every library; UBSan stays recoverable so that the one suppressed
  # finding (tests/fuzz/ubsan.supp) can be skipped, and run.sh makes every other report fatal (halt_on_error=1).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
