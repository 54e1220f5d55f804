// Carries out operations (ops.h): kernel ones as generic netlink requests,
// create-md on the backing disk.
#pragma once

#include <optional>
#include <ostream>

#include "netlink.h"
#include "ops.h"

namespace rdbd {

// True for operations that go to the kernel.
bool needs_kernel(const Op &op);
bool needs_kernel(const Plan &plan);

// Something that carries out one operation; run_plan() needs no more, so
// tests can give it a fake.
class OpRunner {
public:
	virtual ~OpRunner() = default;
	virtual void run(const Op &op) = 0;
};

class OpExecutor : public OpRunner {
public:
	explicit OpExecutor(std::ostream &out) : out_(out) {}

	// Opens the netlink connection now rather than at the first kernel
	// operation, so "module not loaded" is reported once, up front.
	void connect();
	// Throws Error; a refusal is a KernelError with the message of
	// kernel_refusal_message().
	void run(const Op &op) override;

private:
	void send(const Op &op, const NlMessage &request);

	std::ostream &out_;
	std::optional<GenlClient> kernel_;
};

// Runs the steps in order.  When one fails, the undo of every completed
// step runs, newest first, and the error is rethrown with a note saying
// which step failed and what was undone.
void run_plan(const Plan &plan, OpRunner &runner);

// "rdbd0: <the kernel's extack, verbatim>"; the prefix is not doubled when
// the kernel already names the device.  Without an extack, the errno's
// text and the operation's name.
std::string kernel_refusal_message(const Op &op, const NlResult &result);

} // namespace rdbd
