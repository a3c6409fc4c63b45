// The new sources of tasks on the real files of ../shared: NAS-Bench-360 (NASLib benchmark lists), the full NB201
// tables, FlexiBERT, and the CSV reader behind them and behind a researcher's own --table. Expected values were
// read from the files with Python's json and csv modules.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "TempDir.hpp"
#include "TestData.hpp"
#include "zcgp/proxy_cache/ArchitectureKey.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/CsvTable.hpp"
#include "zcgp/tasks/Tasks.hpp"

using namespace zcgp::proxy_cache;
namespace fs = std::filesystem;

namespace {
Benchmark const& realBenchmark() {
    static const Benchmark benchmark = Benchmark::load(zcgp::test::requireData("nbsz").parent_path());
    return benchmark;
}

std::string errorOf(auto&& f) { return zcgp::test::errorOf<DataError>(f, "DataError"); }

fs::path write(fs::path const& dir, std::string const& name, std::string const& text) {
    return zcgp::test::writeFile(dir, name, text);
}
}  // namespace

TEST_CASE("the nine NAS-Bench-360 tasks each have all 13 proxies", "[proxy_cache]") {
    auto const& b = realBenchmark();
    for (auto const* space : {"nb201", "nb301", "tnb101_micro"}) {
        for (auto const* dataset : {"ninapro", "scifar100", "svhn"}) {
            auto const& t = b.task(std::string(space) + "/" + dataset);
            CHECK(t.proxies == suiteProxyNames());
            // ../shared/nbsz/README.md: 199 architectures for NB201 and NB301, 192 for TransNAS micro
            CHECK(t.size() == (std::string(space) == "tnb101_micro" ? 192U : 199U));
            CHECK(t.accuracy.array().isFinite().all());
        }
    }
}

TEST_CASE("NB301 genotypes are one canonical key in zc_nasbench301.json and in nb360/", "[proxy_cache]") {
    CHECK(canonicalArchKey("[[(0, 0), (1, 5)], [(1, 0),(0, 2)]]") == "(((0, 0), (1, 5)), ((1, 0), (0, 2)))");
    CHECK(canonicalArchKey("(((0, 0), (1, 5)), ((1, 0), (0, 2)))") == "(((0, 0), (1, 5)), ((1, 0), (0, 2)))");
    CHECK(canonicalArchKey("17") == "17");
    auto const& c10 = realBenchmark().task("nb301/cifar10");
    // the file's first key, written with lists there
    auto const row = c10.findArchitecture(
        "(((0, 0), (1, 5), (1, 1), (0, 1), (1, 3), (0, 3), (1, 3), (3, 2)), ((1, 0), (0, 2), (1, 3), (0, 3), (3, 0), "
        "(0, 1), (2, 0), (3, 6)))");
    REQUIRE(row);
    CHECK(c10.accuracy(static_cast<Eigen::Index>(*row)) == Approx(93.32119084207302).epsilon(1e-15));
    CHECK(c10.column("params")[*row] == Approx(0.856298).epsilon(1e-15));
    auto const& svhn = realBenchmark().task("nb301/svhn");
    auto const r = svhn.findArchitecture(
        "(((0, 3), (1, 5), (0, 1), (2, 3), (0, 3), (1, 6), (0, 2), (4, 3)), ((0, 2), (1, 5), (2, 3), (1, 6), (3, 6), "
        "(0, 4), (0, 0), (1, 6)))");
    REQUIRE(r);
    CHECK(svhn.column("params")[*r] == Approx(1.083498).epsilon(1e-15));
    CHECK(svhn.accuracy(static_cast<Eigen::Index>(*r)) == Approx(97.25337762252349).epsilon(1e-15));
}

TEST_CASE("the full NB201 tables join proxies and accuracy by cell", "[proxy_cache]") {
    auto const& t = realBenchmark().task("nb201_full/cifar10");
    CHECK(t.size() == 9445);  // README: the 9,445 cells without dead edges
    CHECK(t.space == SearchSpace::NB201);
    CHECK(t.proxies == suiteProxyNames());
    auto const row = t.findArchitecture("(3, 0, 1, 0, 3, 3)");
    REQUIRE(row);
    CHECK(t.archs[*row].ops == std::vector<int>{3, 0, 1, 0, 3, 3});
    CHECK(t.column("synflow")[*row] == Approx(60.55435810174346).epsilon(1e-15));
    CHECK(t.accuracy(static_cast<Eigen::Index>(*row)) == Approx(85.67));
    CHECK(realBenchmark().task("nb201_full/ImageNet16-120").size() == 9445);
}

TEST_CASE("flexibert/glue: 16 proxies, GLUE as ground truth, each architecture's layers", "[proxy_cache]") {
    auto const& t = realBenchmark().task("flexibert/glue");
    CHECK(t.size() == 500);
    CHECK(t.proxies.size() == 16);
    CHECK(t.target == "GLUE Score");
    auto const row = t.findArchitecture("0");
    REQUIRE(row);
    CHECK(t.accuracy(static_cast<Eigen::Index>(*row)) == Approx(74.73375));
    CHECK(t.column("lpzero")[*row] == Approx(1057.423583984375));
    auto const& config = t.archs[*row].flexibert;
    REQUIRE(config);
    CHECK(config->hiddenSize == 256);
    REQUIRE(config->layers.size() >= 2);
    CHECK(config->layers[0] == FlexiBertLayer{"SA", "WMA", 4, 1024, 3});
    CHECK(config->layers[1].operationType == "LT");
    CHECK(config->layers[1].operationParameter == "DCT");
    for (auto const& a : t.archs) CHECK(a.flexibert.has_value());
}

TEST_CASE("the CSV reader: RFC 4180 quoting, a byte-order mark, CRLF, names with spaces, missing cells", "[proxy_cache]") {
    zcgp::test::TempDir dir;
    auto const file = write(dir.path, "mine.csv",
                            "\xEF\xBB\xBF" "arch id,my score,\"odd, \"\"quoted\"\" name\",val loss\r\n"
                            "\"a,1\",1.5,2,0.3\r\n"
                            "b,,nan,0.2\r\n"
                            "\"multi\nline\",inf,-inf,0.1\r\n"
                            "d,4,5e3,0.4\r\n");
    TableSpec spec;
    spec.file = file;
    spec.target = "val loss";
    spec.order = TargetOrder::Lower;
    spec.idColumn = "arch id";
    auto const t = loadTable(spec);
    CHECK(t.id() == "table:mine");
    // terminal names are identifiers; the file's names are kept
    CHECK(t.proxies == std::vector<std::string>{"my_score", "odd_quoted_name"});
    CHECK(t.columnNames.at("odd_quoted_name") == "odd, \"quoted\" name");
    REQUIRE(t.size() == 4);
    CHECK(t.archs[0].key == "a,1");
    CHECK(t.archs[2].key == "multi\nline");
    CHECK(t.scores(0, 0) == 1.5);
    CHECK(t.scores(3, 1) == 5000.0);
    CHECK(t.missingCount(0) == 2);  // empty and inf
    CHECK(t.missingCount(1) == 2);  // nan and -inf
    CHECK(t.targetNegated);
    CHECK(t.accuracy(1) == Approx(-0.2));
    // the line of a row after a quoted line break
    auto const bad = write(dir.path, "bad.csv", "id,x,y\n\"p\nq\",1,2\nr,1,oops\n");
    spec.file = bad;
    spec.target = "y";
    spec.idColumn = "id";
    spec.order = TargetOrder::Higher;
    CHECK_THAT(errorOf([&] { (void)loadTable(spec); }), Catch::Contains("bad.csv:4:") && Catch::Contains("'y'"));
}

TEST_CASE("broken copies of the FlexiBERT table give one error naming file, line and column", "[proxy_cache]") {
    zcgp::test::TempDir dir;
    auto const original = zcgp::test::requireData("lm/BERT_results_activation_lpzero.csv");
    std::ifstream in(original, std::ios::binary);
    std::string const text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    TableSpec spec;
    spec.target = "GLUE Score";
    spec.idColumn = "ID";

    // truncated in the middle of a row
    auto const cut = text.find('\n', text.size() / 2) + 20;
    spec.file = write(dir.path, "truncated.csv", text.substr(0, cut));
    CHECK_THAT(errorOf([&] { (void)loadTable(spec); }), Catch::Contains("truncated.csv:") && Catch::Contains("fields"));
    spec.file = write(dir.path, "empty.csv", "");
    CHECK_THAT(errorOf([&] { (void)loadTable(spec); }), Catch::Contains("empty.csv") && Catch::Contains("empty"));

    // a non-numeric cell on data line 3 (file line 4), column "lpzero"
    auto lines = text;
    auto const third = [&] {
        std::size_t pos = 0;
        for (int i = 0; i < 3; ++i) pos = lines.find('\n', pos) + 1;
        return pos;
    }();
    auto const end = lines.find('\n', third);
    auto const lastComma = lines.rfind(',', end);
    lines.replace(lastComma + 1, end - lastComma - 1, "n/a");
    spec.file = write(dir.path, "nonnumeric.csv", lines);
    CHECK_THAT(errorOf([&] { (void)loadTable(spec); }),
               Catch::Contains("nonnumeric.csv:4:") && Catch::Contains("'lpzero'") && Catch::Contains("n/a"));
    spec.exclude = {"lpzero"};  // an excluded column is never read
    CHECK(loadTable(spec).size() == 500);
    spec.exclude.clear();

    // a missing target, a duplicated id, a non-finite target
    spec.file = original;
    spec.target = "GLUE";
    CHECK_THAT(errorOf([&] { (void)loadTable(spec); }), Catch::Contains("no target column 'GLUE'"));
    spec.target = "GLUE Score";
    spec.idColumn = "Id";
    CHECK_THAT(errorOf([&] { (void)loadTable(spec); }), Catch::Contains("no id column 'Id'"));
    spec.idColumn = "ID";
    auto dup = text;
    auto const second = dup.find('\n') + 1;
    dup.replace(dup.find('\n', second) + 1, 1, "0");  // data row 2's ID "1" becomes "0"
    spec.file = write(dir.path, "duplicate.csv", dup);
    CHECK_THAT(errorOf([&] { (void)loadTable(spec); }),
               Catch::Contains("duplicate.csv:3:") && Catch::Contains("id '0'") && Catch::Contains("line 2"));
    auto nan = text;
    auto const row2 = nan.find('\n') + 1;
    auto const glue = nan.find(',', row2) + 1;
    nan.replace(glue, nan.find(',', glue) - glue, "nan");
    spec.file = write(dir.path, "nantarget.csv", nan);
    CHECK_THAT(errorOf([&] { (void)loadTable(spec); }),
               Catch::Contains("nantarget.csv:2:") && Catch::Contains("target column 'GLUE Score'"));
}

TEST_CASE("a folder in NASLib's benchmark-list layout is read as tasks, as a user's own NASLib run writes it",
          "[proxy_cache]") {
    zcgp::test::TempDir dir;
    fs::create_directories(dir.path / "synflow");
    fs::create_directories(dir.path / "nwot");
    write(dir.path / "synflow", "benchmark--nasbench201--mydata--0.json",
          R"js([{"idx": "0", "arch": "(0, 2, 3, 2, 3, 1)", "synflow": {"score": 4.0, "time": 1}, "val_accuracy": 80.0},
              {"idx": "1", "arch": "(1, 1, 1, 1, 1, 1)", "synflow": {"score": -100000000.0}, "val_accuracy": 10.0}])js");
    write(dir.path / "nwot", "benchmark--nasbench201--mydata--0.json",
          R"js([{"idx": "1", "arch": "(1,1,1,1,1,1)", "nwot": {"score": 2.0}, "val_accuracy": 10.0},
              {"idx": "0", "arch": "(0, 2, 3, 2, 3, 1)", "nwot": {"score": 3.0}, "val_accuracy": 80.0}])js");
    auto const tables = loadBenchmarkLists(findBenchmarkLists(dir.path));
    REQUIRE(tables.size() == 1);
    auto const& t = tables[0];
    CHECK(t.id() == "nb201/mydata");
    REQUIRE(t.size() == 2);
    CHECK(t.proxies == std::vector<std::string>{"nwot", "synflow"});
    auto const row = t.findArchitecture("(1, 1, 1, 1, 1, 1)");
    REQUIRE(row);
    CHECK(t.column("nwot")[*row] == 2.0);
    CHECK(std::isnan(t.column("synflow")[*row]));  // the -1e8 sentinel
    write(dir.path, "benchmark--nasbench999--x--0.json", "[]");
    CHECK_THAT(errorOf([&] { (void)findBenchmarkLists(dir.path); }), Catch::Contains("nasbench999"));
}

TEST_CASE("zcgp::tasks: --task flexibert/glue and the same CSV as --table give the same dataset", "[proxy_cache]") {
    zcgp::tasks::TaskRequest viaTask;
    viaTask.ids = {"flexibert/glue"};
    viaTask.exclude = {"lpzero"};
    zcgp::tasks::TaskRequest viaTable;
    TableSpec spec;
    spec.file = zcgp::test::requireData("lm/BERT_results_activation_lpzero.csv");
    spec.target = "GLUE Score";
    spec.idColumn = "ID";
    viaTable.tables = {spec};
    viaTable.exclude = {"lpzero"};
    auto const a = zcgp::tasks::loadTasks(realBenchmark(), viaTask);
    auto const b = zcgp::tasks::loadTasks(realBenchmark(), viaTable);
    REQUIRE(a.size() == 1);
    REQUIRE(b.size() == 1);
    CHECK(a[0].id == "flexibert/glue");
    CHECK(b[0].id == "table:BERT_results_activation_lpzero");
    CHECK(a[0].data.archKeys() == b[0].data.archKeys());
    CHECK(a[0].data.scalarNames() == b[0].data.scalarNames());
    CHECK(a[0].data.scalarNames().size() == 15);
    CHECK_FALSE(a[0].data.scalarIndex("lpzero"));
    CHECK(a[0].data.scalars() == b[0].data.scalars());
    CHECK(a[0].report.keptArchs == 500);

    viaTask.exclude = {"no_such_column"};
    CHECK_THROWS_WITH(zcgp::tasks::loadTasks(realBenchmark(), viaTask), Catch::Contains("--exclude no_such_column"));
}
