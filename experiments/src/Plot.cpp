#include "Plot.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace zcgp::cli {

namespace {
std::string quote(std::string const& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::string escapeUnderscores(std::string const& s) {  // gnuplot's enhanced text treats _ as subscript
    std::string out;
    for (char c : s) {
        if (c == '_') out += '\\';
        out += c;
    }
    return out;
}

namespace {
bool runGnuplot(std::filesystem::path const& dir, std::string const& stem) {
    if (!gnuplotAvailable()) return false;
    auto const cmd = fmt::format("cd {} && gnuplot {} 2>{}", quote(dir.string()), quote(stem + ".gp"),
                                 quote(stem + ".gnuplot.log"));
    bool const ok = std::system(cmd.c_str()) == 0;
    if (ok) std::filesystem::remove(dir / (stem + ".gnuplot.log"));
    return ok;
}
}  // namespace

bool gnuplotAvailable() {
    static const bool available = std::system("command -v gnuplot >/dev/null 2>&1") == 0;
    return available;
}

bool renderPlot(std::filesystem::path const& dir, std::string const& stem, PlotSpec const& spec) {
    std::ofstream dat(dir / (stem + ".dat"));
    for (std::size_t s = 0; s < spec.series.size(); ++s) {
        auto const& series = spec.series[s];
        dat << "# " << series.title << '\n';
        for (std::size_t i = 0; i < series.x.size(); ++i) {
            if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i])) continue;
            dat << fmt::format("{:.9g} {:.9g}", series.x[i], series.y[i]);
            if (!series.yError.empty()) dat << fmt::format(" {:.9g}", series.yError[i]);
            dat << '\n';
        }
        dat << "\n\n";  // gnuplot data blocks are separated by two blank lines (index)
    }
    dat.close();
    std::ofstream gp(dir / (stem + ".gp"));
    gp << "set terminal pngcairo size 1000,700 enhanced font 'DejaVu Sans,12'\n"
       << "set output " << quote(stem + ".png") << '\n'
       << "set title " << quote(escapeUnderscores(spec.title)) << '\n'
       << "set xlabel " << quote(escapeUnderscores(spec.xLabel)) << '\n'
       << "set ylabel " << quote(escapeUnderscores(spec.yLabel)) << '\n'
       << "set grid\nset key below\n";
    if (spec.logX) gp << "set logscale x\n";
    gp << spec.extra << '\n' << "plot ";
    for (std::size_t s = 0; s < spec.series.size(); ++s) {
        auto const& series = spec.series[s];
        gp << (s ? ", \\\n     " : "") << quote(stem + ".dat") << " index " << s << " using 1:2"
           << (series.yError.empty() ? "" : ":3") << " with " << series.style << " title "
           << quote(escapeUnderscores(series.title));
    }
    gp << '\n';
    gp.close();
    return runGnuplot(dir, stem);
}

bool renderHeatmap(std::filesystem::path const& dir, std::string const& stem, std::string const& title,
                   std::vector<std::string> const& rowLabels, std::vector<std::string> const& columnLabels,
                   std::vector<std::vector<double>> const& values, std::string const& colorLabel,
                   double colorMin, double colorMax) {
    std::ofstream dat(dir / (stem + ".dat"));
    for (std::size_t r = 0; r < rowLabels.size(); ++r) {
        for (std::size_t c = 0; c < columnLabels.size(); ++c) {
            double const v = values[r][c];
            dat << c << ' ' << r << ' ' << (std::isfinite(v) ? fmt::format("{:.4f}", v) : std::string("NaN")) << ' '
                << (std::isfinite(v) ? fmt::format("{:.2f}", v) : std::string("-")) << '\n';
        }
        dat << '\n';
    }
    dat.close();
    std::ostringstream xtics;
    std::ostringstream ytics;
    for (std::size_t c = 0; c < columnLabels.size(); ++c) xtics << (c ? ", " : "") << quote(escapeUnderscores(columnLabels[c])) << ' ' << c;
    for (std::size_t r = 0; r < rowLabels.size(); ++r) ytics << (r ? ", " : "") << quote(escapeUnderscores(rowLabels[r])) << ' ' << r;
    auto const width = 300 + 110 * columnLabels.size();
    auto const height = 250 + 45 * rowLabels.size();
    std::ofstream gp(dir / (stem + ".gp"));
    gp << fmt::format("set terminal pngcairo size {},{} enhanced font 'DejaVu Sans,11'\n", width, height)
       << "set output " << quote(stem + ".png") << '\n'
       << "set title " << quote(escapeUnderscores(title)) << '\n'
       << "set xtics (" << xtics.str() << ") rotate by 35 right\n"
       << "set ytics (" << ytics.str() << ")\n"
       << fmt::format("set xrange [-0.5:{}.5]\nset yrange [{}.5:-0.5]\n", columnLabels.size() - 1, rowLabels.size() - 1)
       << "set cblabel " << quote(escapeUnderscores(colorLabel)) << '\n'
       << (colorMin < 0.0 ? std::string("set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')\n")
                          : std::string("set palette defined (0 '#f7f7f7', 1 '#b2182b')\n"))
       << fmt::format("set cbrange [{}:{}]\nunset key\n", colorMin, colorMax)
       << "plot " << quote(stem + ".dat") << " using 1:2:3 with image, '' using 1:2:4 with labels font ',10'\n";
    gp.close();
    return runGnuplot(dir, stem);
}

}  // namespace zcgp::cli
