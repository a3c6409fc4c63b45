#pragma once
// The CLI's user errors as Python exceptions, for both extensions (_zcgp and _torch): a UsageError or DataError
// becomes a ValueError carrying the CLI's message (the text after "zcgp: error: ").
#include <exception>

#include <pybind11/pybind11.h>

#include "Command.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

namespace zcgp::python {

inline void registerCliErrors() {
    pybind11::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (zcgp::cli::UsageError const& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        } catch (zcgp::proxy_cache::DataError const& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        }
    });
}

}  // namespace zcgp::python
