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
