// The Slurm backend against a real single-node Slurm that the test starts: munged, slurmctld and
// slurmd (Debian slurm-wlm, munge) with a generated configuration, private key, sockets and ports.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>

#include "regress/store.hpp"
#include "tests/support/tools.hpp"

using namespace lutforge;
using namespace lutforge::regress;
using test::write_text;
namespace fs = std::filesystem;

namespace {

pid_t start_daemon(const std::vector<std::string>& argv, const fs::path& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execvp(a[0], a.data());
    _exit(127);
  }
  return pid;
}

// A private Slurm cluster of this machine, for the lifetime of the object. Client commands find
// it through SLURM_CONF, which the constructor sets for this process and its children.
class SlurmCluster {
 public:
  explicit SlurmCluster(const fs::path& dir) : dir_(dir) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    const int port = 20000 + static_cast<int>(getpid() % 20000);
    fs::create_directories(dir / "state");
    fs::create_directories(dir / "spool");
    // munge: a key of our own, a socket of our own.
    std::mt19937_64 rng(std::random_device{}());
    std::string key(1024, '\0');
    for (auto& c : key) c = static_cast<char>(rng());
    write_text(dir / "munge.key", key);
    fs::permissions(dir / "munge.key", fs::perms::owner_read | fs::perms::owner_write);
    const std::string sock = (dir / "munge.sock").string();
    const auto m = test::run("munged --force --socket=" + sock +
                             " --key-file=" + (dir / "munge.key").string() +
                             " --pid-file=" + (dir / "munged.pid").string() +
                             " --log-file=" + (dir / "munged.log").string() +
                             " --seed-file=" + (dir / "munge.seed").string());
    INFO(m.err);
    REQUIRE(m.exit_code == 0);
    conf_ = dir / "slurm.conf";
    const std::string d = dir.string();
    write_text(conf_,
               "ClusterName=lutforge\nSlurmctldHost=" + std::string(host) + "\nSlurmctldPort=" +
                   std::to_string(port) + "\nSlurmdPort=" + std::to_string(port + 1) +
                   "\nAuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" + sock +
                   "\nSlurmUser=root\nSlurmdUser=root\nStateSaveLocation=" + d +
                   "/state\nSlurmdSpoolDir=" + d + "/spool\nSlurmctldPidFile=" + d +
                   "/slurmctld.pid\nSlurmdPidFile=" + d + "/slurmd.pid\nSlurmctldLogFile=" + d +
                   "/slurmctld.log\nSlurmdLogFile=" + d +
                   "/slurmd.log\nProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
                   "JobAcctGatherType=jobacct_gather/none\nSchedulerType=sched/builtin\n"
                   "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\nReturnToService=2\n"
                   "MpiDefault=none\nMinJobAge=600\nNodeName=" +
                   host + " CPUs=2 RealMemory=1000 State=UNKNOWN\n" +
                   "PartitionName=lf Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n");
    setenv("SLURM_CONF", conf_.c_str(), 1);
    ctld_ = start_daemon({"slurmctld", "-D", "-f", conf_.string()}, dir / "slurmctld.out");
    slurmd_ = start_daemon({"slurmd", "-D", "-f", conf_.string(), "-N", host}, dir / "slurmd.out");
    for (int i = 0; i < 300; ++i) {
      if (test::run("sinfo -h -o %T").out.find("idle") != std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("Slurm did not come up: " << test::read_text(dir / "slurmctld.out")
                                   << test::read_text(dir / "slurmd.out"));
  }
  ~SlurmCluster() {
    test::run("scancel --user=root");
    for (pid_t p : {slurmd_, ctld_})
      if (p > 0) {
        kill(p, SIGTERM);
        waitpid(p, nullptr, 0);
      }
    std::ifstream pid(dir_ / "munged.pid");
    long m = 0;
    if (pid >> m && m > 0) kill(static_cast<pid_t>(m), SIGTERM);
    unsetenv("SLURM_CONF");
  }

 private:
  fs::path dir_, conf_;
  pid_t ctld_ = -1, slurmd_ = -1;
};

const char* kMult =
    "module mult(input [5:0] a, input [5:0] b, output [11:0] y);\n"
    "  assign y = a * b;\n"
    "endmodule\n";
const char* kBroken =
    "module mult(input [5:0] a, input [5:0] b, output [11:0] y);\n"
    "  assign y = (a * b) ^ 12'd16;\n"
    "endmodule\n";
// A benchmark that marks its start (started.<attempt> in the directory $2) and then waits until
// the file $2/go exists, so that the test can cancel it while it surely runs, however fast or
// loaded the machine is. Its one figure is the attempt that produced it.
const char* kWaiting =
    "#!/bin/sh\nset -e\nn=$(ls \"$2\" | grep -c '^started' || true)\ntouch \"$2/started.$n\"\n"
    "i=0\nwhile [ ! -e \"$2/go\" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done\n"
    "[ -e \"$2/go\" ]\nmkdir -p \"$1\"\nprintf '{\"attempt\": %d}' \"$n\" > \"$1/figures.json\"\n";

std::string flow(const std::string& name, const std::string& file, const std::string& top,
                 const std::string& equiv_extra = "") {
  return "[[case]]\nname = \"" + name + "\"\nverilog = \"" + file + "\"\ntop = \"" + top +
         "\"\n  [[case.step]]\n  kind = \"synth\"\n  name = \"gates\"\n"
         "  [[case.step]]\n  kind = \"synth\"\n  lut = 6\n"
         "  [[case.step]]\n  kind = \"equiv\"\n  a = \"" +
         (equiv_extra.empty() ? std::string("gates") : std::string("golden.json")) +
         "\"\n  b = \"synth\"\n" + equiv_extra +
         "  [[case.step]]\n  kind = \"replay\"\n  input = \"synth\"\n  random = 200\n"
         "  [[case.check]]\n  metric = \"synth.luts\"\n  max = 1000\n";
}

}  // namespace

TEST_CASE(
    "Slurm backend: a real single-node Slurm runs a suite as the local backend does, and "
    "a cancelled task is submitted again",
    "[regress][slurm]") {
  const fs::path dir = test::temp_dir("regress_slurm");
  SlurmCluster cluster(dir / "cluster");
  write_text(dir / "mult.v", kMult);
  write_text(dir / "broken.v", kBroken);
  REQUIRE(test::run_lutforge("synth " + (dir / "mult.v").string() + " --top mult -o " +
                             (dir / "golden.json").string())
              .exit_code == 0);
  write_text(dir / "s.toml",
             flow("mult", "mult.v", "mult") +
                 flow("mutant", "broken.v", "mult", "  expect = \"not-equivalent\"\n") +
                 flow("refuted", "broken.v", "mult", "\n"));
  const std::string suite = (dir / "s.toml").string();
  const auto local =
      test::run_lutforge("regress " + suite + " -o " + (dir / "local").string() + " --no-progress");
  const auto slurm = test::run_lutforge("regress " + suite + " -o " + (dir / "slurm").string() +
                                        " --no-progress --backend slurm --poll 0.2");
  INFO(local.out << local.err << slurm.out << slurm.err);
  CHECK(local.exit_code == 1);  // "refuted" fails
  CHECK(slurm.exit_code == local.exit_code);
  CHECK(slurm.out.find("2 of 3 cases passed, 1 failed; 12 steps run, 0 reused") !=
        std::string::npos);
  CHECK(slurm.err.find("submitted 3 cases to Slurm as job array") != std::string::npos);

  // The same results, step by step: status, inputs, metrics (but the times).
  const Store a((dir / "local" / "results.db").string(), true);
  const Store b((dir / "slurm" / "results.db").string(), true);
  const auto la = a.all();
  REQUIRE(la.size() == 15);
  REQUIRE(b.all().size() == la.size());
  for (const auto& r : la) {
    const auto s = b.find(r.case_name, r.step);
    REQUIRE(s);
    INFO(r.case_name << "." << r.step);
    CHECK(s->status == r.status);
    CHECK(s->input_hash == r.input_hash);
    CHECK(s->message == r.message);
    auto ma = r.metrics, mb = s->metrics;
    ma.erase("seconds");
    mb.erase("seconds");
    CHECK(ma == mb);
  }

  // A task cancelled while it runs leaves the queue without results: it is submitted again, and the
  // results are the second attempt's. The task waits for the test's go: cancelled once it has
  // started, released once the coordinator has noticed the loss.
  const fs::path marks = dir / "marks";
  fs::create_directories(marks);
  write_text(dir / "waiting.sh", kWaiting);
  fs::permissions(dir / "waiting.sh", fs::perms::owner_exec, fs::perm_options::add);
  write_text(dir / "slow.toml",
             "[[case]]\nname = \"waits\"\nscript = \"waiting.sh\"\n"
             "  [[case.step]]\n  kind = \"bench\"\n  args = [\"{out}\", \"" +
                 marks.string() + "\"]\n");
  const std::string out = (dir / "slow.out").string(), err = (dir / "slow.err").string();
  const pid_t pid = fork();
  if (pid == 0) {
    freopen(out.c_str(), "w", stdout);
    freopen(err.c_str(), "w", stderr);
    const std::string s = (dir / "slow.toml").string(), o = (dir / "slow").string();
    execl(LUTFORGE_BIN, LUTFORGE_BIN, "regress", s.c_str(), "-o", o.c_str(), "--backend", "slurm",
          "--poll", "0.2", "--no-progress", static_cast<char*>(nullptr));
    _exit(127);
  }
  auto wait_for = [](const std::function<bool()>& done) {
    for (int i = 0; i < 1200; ++i) {  // two minutes
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  const bool started = wait_for([&] { return fs::exists(marks / "started.0"); });
  CHECK(started);
  if (started) test::run("scancel --name=lutforge-regress");
  const bool noticed = wait_for([&] {
    return test::read_text(err).find("case waits left the queue without results") !=
           std::string::npos;
  });
  test::write_text(marks / "go", "");
  int status = 0;
  waitpid(pid, &status, 0);
  const std::string slow_err = test::read_text(err);
  INFO(slow_err << test::read_text(out));
  CHECK(noticed);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(fs::exists(marks / "started.1"));
  const Store c((dir / "slow" / "results.db").string(), true);
  REQUIRE(c.all().size() == 1);
  const auto r = c.all().front();
  CHECK(r.status == Status::Pass);
  CHECK(r.metrics.at("attempt") == 1);
}
