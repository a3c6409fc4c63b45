#pragma once
// Plots through gnuplot: each plot writes <stem>.dat (the data), <stem>.gp (the script, kept for tweaking)
// and, when gnuplot is installed, renders <stem>.png.
#include <filesystem>
#include <string>
#include <vector>

namespace zcgp::cli {

struct PlotSeries {
    std::string title;
    std::vector<double> x;
    std::vector<double> y;
    std::vector<double> yError;  // optional error bars (same length as y)
    std::string style = "linespoints";  // gnuplot "with" style: lines, linespoints, points, yerrorbars
};

struct PlotSpec {
    std::string title;
    std::string xLabel;
    std::string yLabel;
    std::vector<PlotSeries> series;
    bool logX = false;
    std::string extra;  // extra gnuplot commands
};

[[nodiscard]] bool gnuplotAvailable();

// Escapes a label for a gnuplot double-quoted enhanced-text string that quote() will escape again ("a_b" -> a\_b).
[[nodiscard]] std::string escapeUnderscores(std::string const& s);

// Writes dir/stem.{dat,gp} and renders dir/stem.png. Returns false if gnuplot was not run.
bool renderPlot(std::filesystem::path const& dir, std::string const& stem, PlotSpec const& spec);

// A labelled matrix as a heat map with the values printed in the cells (NaN cells left blank).
bool renderHeatmap(std::filesystem::path const& dir, std::string const& stem, std::string const& title,
                   std::vector<std::string> const& rowLabels, std::vector<std::string> const& columnLabels,
                   std::vector<std::vector<double>> const& values, std::string const& colorLabel,
                   double colorMin = -1.0, double colorMax = 1.0);

}  // namespace zcgp::cli
