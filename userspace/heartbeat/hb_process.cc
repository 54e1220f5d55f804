#include "hb_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace rdbd::hb {

namespace {

constexpr size_t kMaxOutput = 64 * 1024;

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(int out_fd, const std::vector<char *> &argv,
			     const std::vector<char *> &envp)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, nullptr); // the loop blocked some
	const int devnull = open("/dev/null", O_RDONLY);
	dup2(devnull, 0);
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	setsid(); // a script's own children stay apart from our signals
	// execvpe: "rdbdadm" is found on PATH, as from a shell.
	execvpe(argv[0], argv.data(), envp.data());
	const char msg[] = "rdbd-heartbeat: cannot execute the script\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(127);
}

std::vector<std::string> merged_environment(const std::vector<std::string> &add)
{
	std::vector<std::string> env;
	for (char **e = environ; *e; e++) {
		const std::string entry = *e;
		const std::string name = entry.substr(0, entry.find('='));
		bool overridden = false;
		for (const auto &a : add)
			overridden |= a.compare(0, name.size() + 1, name + "=") == 0;
		if (!overridden)
			env.push_back(entry);
	}
	env.insert(env.end(), add.begin(), add.end());
	return env;
}

} // namespace

std::string Command::display() const
{
	std::string s;
	for (const auto &a : argv)
		s += (s.empty() ? "" : " ") + a;
	return s;
}

struct ProcessRunner::Child {
	UniqueFd out;
	ProcessResult result;
	bool exited = false;
	bool eof = false;
	Done done;
	std::optional<EventLoop::TimerId> deadline;
};

ProcessRunner::ProcessRunner(EventLoop &loop) : loop_(loop)
{
	loop_.on_signal(SIGCHLD, [this] { reap(); });
}

ProcessRunner::~ProcessRunner() = default;

void ProcessRunner::run(const Command &command, Done done,
			std::chrono::milliseconds limit)
{
	run(command, std::move(done));
	if (!last_started_)
		return; // it could not even start; done() has run
	const pid_t pid = *last_started_;
	children_.at(pid)->deadline = loop_.after(limit, [this, pid] {
		const auto it = children_.find(pid);
		if (it == children_.end())
			return;
		it->second->deadline.reset();
		it->second->result.timed_out = true;
		// setsid() in the child made its pid a process group: the
		// script's own children die with it.
		kill(-pid, SIGKILL);
	});
}

void ProcessRunner::run(const Command &command, Done done)
{
	last_started_.reset();
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		done(ProcessResult{-1, std::string("pipe: ") + strerror(errno)});
		return;
	}
	const auto env = merged_environment(command.env);
	std::vector<char *> argv, envp;
	for (const auto &a : command.argv)
		argv.push_back(const_cast<char *>(a.c_str()));
	argv.push_back(nullptr);
	for (const auto &e : env)
		envp.push_back(const_cast<char *>(e.c_str()));
	envp.push_back(nullptr);
	const pid_t pid = fork();
	if (pid == 0)
		exec_child(pipefd[1], argv, envp);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		done(ProcessResult{-1, std::string("fork: ") + strerror(errno)});
		return;
	}
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	auto child = std::make_unique<Child>();
	child->out = UniqueFd(pipefd[0]);
	child->done = std::move(done);
	const int fd = pipefd[0];
	children_[pid] = std::move(child);
	last_started_ = pid;
	loop_.watch(fd, [this, pid] { read_output(pid); });
}

void ProcessRunner::read_output(pid_t pid)
{
	Child &c = *children_.at(pid);
	char buf[4096];
	for (;;) {
		const ssize_t n = read(c.out.get(), buf, sizeof(buf));
		if (n > 0) {
			if (c.result.output.size() < kMaxOutput)
				c.result.output.append(buf, static_cast<size_t>(n));
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		c.eof = true; // EOF, or an error that ends the output alike
		loop_.unwatch(c.out.get());
		finish_if_done(pid);
		return;
	}
}

void ProcessRunner::reap()
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		const auto it = children_.find(pid);
		if (it == children_.end())
			continue;
		Child &c = *it->second;
		c.exited = true;
		c.result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		// What the script wrote is in the pipe now.  Do not wait for
		// EOF: a daemon it started (apache2) may hold the pipe open.
		if (!c.eof)
			read_output(pid); // on EOF, this finishes the child
		const auto still = children_.find(pid);
		if (still == children_.end())
			continue;
		still->second->eof = true;
		loop_.unwatch(still->second->out.get());
		finish_if_done(pid);
	}
}

void ProcessRunner::finish_if_done(pid_t pid)
{
	const auto it = children_.find(pid);
	if (it == children_.end() || !it->second->exited || !it->second->eof)
		return;
	std::unique_ptr<Child> child = std::move(it->second);
	children_.erase(it);
	if (child->deadline)
		loop_.cancel(*child->deadline);
	child->done(child->result);
}

} // namespace rdbd::hb
