#include "hb_fence.h"

#include <algorithm>

#include "hb_log.h"
#include "hb_rdbd_status.h"
#include "hb_text.h"

namespace rdbd::hb {

namespace {

constexpr auto kResend = std::chrono::milliseconds(500);
// The responder's rdbd notices the lost connection by its own pings
// (ping-int + ping-timeout, 1.5 s in conf/rdbd.conf); wait that long and
// more before answering "still connected".
constexpr auto kOutdateWait = std::chrono::seconds(15);
constexpr auto kRecheck = std::chrono::milliseconds(250);
constexpr size_t kKeptAnswers = 32;
constexpr size_t kMaxWhy = 300;

// A reason fit for one message field: one line, bounded.
std::string one_line(std::string text)
{
	std::replace(text.begin(), text.end(), '\n', ' ');
	while (!text.empty() && text.back() == ' ')
		text.pop_back();
	return text.substr(0, kMaxWhy);
}

} // namespace

bool valid_resource_name(const std::string &name)
{
	return !name.empty() && name.size() < 64 &&
	       std::all_of(name.begin(), name.end(), [](char c) {
		       return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
			      c == '-';
	       });
}

PeerFencer::PeerFencer(EventLoop &loop, ProcessRunner &runner, Hooks hooks)
	: loop_(loop), runner_(runner), hooks_(std::move(hooks))
{
}

// ---- this node asks ----

void PeerFencer::request(const std::string &resource,
			 std::chrono::milliseconds timeout, Done done)
{
	if (hooks_.peer_dead()) {
		log_warn("fence-peer " + resource + ": " + hooks_.peer +
			 " is dead (silent on every link): unreachable");
		done(kFencePeerUnreachable,
		     hooks_.peer + " is dead: not heard on any link");
		return;
	}
	const uint64_t id = ++next_id_;
	pending_[id] = Pending{resource, Clock::now() + timeout, std::move(done)};
	log_info("fence-peer " + resource + ": asking " + hooks_.peer +
		 " to outdate its disk (request " + std::to_string(id) + ")");
	send_request(id);
}

void PeerFencer::send_request(uint64_t id)
{
	const auto it = pending_.find(id);
	if (it == pending_.end())
		return;
	if (Clock::now() >= it->second.deadline) {
		finish(id, kFenceUnknown,
		       "no answer from " + hooks_.peer +
			       " in time, though it is alive");
		return;
	}
	Message m;
	m.type = "outdate-req";
	m.fields["id"] = std::to_string(id);
	m.fields["rsc"] = it->second.resource;
	hooks_.send(m);
	loop_.after(kResend, [this, id] { send_request(id); });
}

void PeerFencer::finish(uint64_t id, int code, const std::string &why)
{
	const auto it = pending_.find(id);
	if (it == pending_.end())
		return;
	Done done = std::move(it->second.done);
	log_info("fence-peer " + it->second.resource + ": exit " +
		 std::to_string(code) + ": " + why);
	pending_.erase(it);
	done(code, why);
}

void PeerFencer::peer_dead()
{
	std::vector<uint64_t> ids;
	for (const auto &[id, p] : pending_)
		ids.push_back(id);
	for (uint64_t id : ids)
		finish(id, kFencePeerUnreachable,
		       hooks_.peer + " died: not heard on any link");
}

bool PeerFencer::handle(const Message &m, bool fresh)
{
	if (m.type == "outdate-req") {
		if (fresh)
			answer_request(m);
		return true;
	}
	if (m.type != "outdate-ack")
		return false;
	if (!fresh)
		return true;
	const auto id = parse_unsigned(m.field("id"));
	const auto code = parse_unsigned(m.field("rc"));
	if (!id || !code || *code > 255) {
		log_warn("fence-peer: malformed answer from " + hooks_.peer);
		return true;
	}
	finish(*id, static_cast<int>(*code),
	       hooks_.peer + ": " + m.field("why"));
	return true;
}

// ---- the peer asks this node ----

void PeerFencer::answer_request(const Message &m)
{
	const auto id = parse_unsigned(m.field("id"));
	const std::string resource = m.field("rsc");
	if (!id || !valid_resource_name(resource)) {
		log_warn("outdate request from " + hooks_.peer +
			 " is malformed: ignored");
		return;
	}
	// Ids restart with each boot of the requester.
	if (m.generation != answers_generation_) {
		answers_generation_ = m.generation;
		answers_.clear();
	}
	const auto it = answers_.find(*id);
	if (it != answers_.end()) {
		if (it->second.done)
			reply(*id); // our answer was lost: say it again
		return;
	}
	while (answers_.size() >= kKeptAnswers)
		answers_.erase(answers_.begin());
	Answer &a = answers_[*id];
	a.resource = resource;
	a.give_up = Clock::now() + kOutdateWait;
	log_info(hooks_.peer + " asks to outdate " + resource +
		 " here (fence-peer)");
	check_and_outdate(*id);
}

void PeerFencer::check_and_outdate(uint64_t id)
{
	const auto it = answers_.find(id);
	if (it == answers_.end())
		return;
	const std::string resource = it->second.resource;
	Command c{{hooks_.rdbdadm, "status", "--json", resource}, {}};
	runner_.run(
		c,
		[this, id, resource](const ProcessResult &r) {
			const auto a = answers_.find(id);
			if (a == answers_.end())
				return;
			const auto v = parse_rdbd_status(r.output);
			if (!v) {
				conclude(id, kFenceUnknown,
					 "cannot read the state of " + resource +
						 " on " + hooks_.self + ": " +
						 one_line(r.output));
			} else if (!v->up) {
				conclude(id, kFenceUnknown,
					 resource + " is not up on " +
						 hooks_.self);
			} else if (v->role == "Primary") {
				conclude(id, kFencePeerPrimary,
					 resource + " is Primary on " +
						 hooks_.self);
			} else if (v->disk_state == "Outdated") {
				conclude(id, kFencePeerOutdated,
					 resource + " is Outdated on " +
						 hooks_.self);
			} else if (v->disk_state != "UpToDate" &&
				   v->disk_state != "Consistent") {
				conclude(id, kFencePeerInconsistent,
					 resource + " is " + v->disk_state +
						 " on " + hooks_.self);
			} else if (v->connected) {
				// Our rdbd has not noticed the cut yet.
				if (Clock::now() >= a->second.give_up)
					conclude(id, kFenceUnknown,
						 "rdbd on " + hooks_.self +
							 " still sees " +
							 resource +
							 " connected (" +
							 v->connection_state +
							 ")");
				else
					loop_.after(kRecheck, [this, id] {
						check_and_outdate(id);
					});
			} else {
				outdate(id);
			}
		},
		kRdbdadmLimit);
}

void PeerFencer::outdate(uint64_t id)
{
	const std::string resource = answers_.at(id).resource;
	Command c{{hooks_.rdbdadm, "outdate", resource}, {}};
	log_info("running " + c.display() + " (asked by " + hooks_.peer + ")");
	runner_.run(
		c,
		[this, id, resource](const ProcessResult &r) {
			if (r.exit_code == 0)
				conclude(id, kFencePeerOutdated,
					 resource + " is Outdated on " +
						 hooks_.self);
			else
				conclude(id, kFenceUnknown,
					 "rdbdadm outdate " + resource +
						 " failed on " + hooks_.self +
						 ": " + one_line(r.output));
		},
		kRdbdadmLimit);
}

void PeerFencer::conclude(uint64_t id, int code, const std::string &why)
{
	const auto it = answers_.find(id);
	if (it == answers_.end())
		return;
	it->second.done = true;
	it->second.code = code;
	it->second.why = one_line(why);
	log_info("outdate request of " + hooks_.peer + ": answering " +
		 std::to_string(code) + " (" + it->second.why + ")");
	reply(id);
}

void PeerFencer::reply(uint64_t id)
{
	const Answer &a = answers_.at(id);
	Message m;
	m.type = "outdate-ack";
	m.fields["id"] = std::to_string(id);
	m.fields["rc"] = std::to_string(a.code);
	m.fields["why"] = a.why;
	hooks_.send(m);
}

} // namespace rdbd::hb
