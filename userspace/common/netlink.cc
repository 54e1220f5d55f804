#include "netlink.h"

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>
#include <exception>

#include "error.h"

namespace rdbd {

namespace {

// The kernel answers at once; silence this long means something is stuck.
constexpr int kReplyTimeoutSeconds = 30;
// Requests can be large (rdbd-nlprobe sends ~60 KiB); libnl's 32 KiB
// default send buffer would refuse those with EMSGSIZE.
constexpr int kSocketBufferBytes = 256 * 1024;

std::string nl_error_text(int nl_error)
{
	return nl_geterror(nl_error);
}

// Everything the callbacks learn about one request.
struct Transaction {
	const GenlClient::ReplyHandler *on_reply = nullptr;
	bool done = false;
	NlResult result;
	std::exception_ptr handler_error; // rethrown once reading is over
};

int on_valid(nl_msg *msg, void *arg)
{
	auto *t = static_cast<Transaction *>(arg);
	// An exception must not unwind through libnl's C frames.
	try {
		if (*t->on_reply)
			(*t->on_reply)(msg);
	} catch (...) {
		if (!t->handler_error)
			t->handler_error = std::current_exception();
	}
	return NL_OK;
}

int accept_any_sequence(nl_msg *, void *)
{
	return NL_OK;
}

int on_done(nl_msg *, void *arg)
{
	static_cast<Transaction *>(arg)->done = true;
	return NL_STOP;
}

int on_error(sockaddr_nl *, nlmsgerr *err, void *arg)
{
	auto *t = static_cast<Transaction *>(arg);
	// libnl hands over the payload of the NLMSG_ERROR message; its
	// header sits right before it.
	const auto *hdr = reinterpret_cast<const nlmsghdr *>(
		reinterpret_cast<const char *>(err) - NLMSG_HDRLEN);
	t->result.error = err->error;
	t->result.extack = extack_message(hdr);
	t->done = true;
	return NL_STOP;
}

void enable_socket_option(int fd, int option)
{
	const int one = 1;
	// Kernels without the option just give less detail: not fatal.
	(void)setsockopt(fd, SOL_NETLINK, option, &one, sizeof(one));
}

void set_reply_timeout(int fd)
{
	timeval tv{kReplyTimeoutSeconds, 0};
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

NetlinkError family_missing(const std::string &family)
{
	return NetlinkError("the " + family +
			    " kernel module is not loaded (no generic "
			    "netlink family \"" +
			    family + "\"); load it with 'modprobe " + family +
			    "' or 'insmod " + family + ".ko'");
}

NlSocket connected_socket()
{
	NlSocket sock(nl_socket_alloc());
	if (!sock)
		throw NetlinkError("cannot allocate a netlink socket");
	const int rc = genl_connect(sock.get());
	if (rc < 0)
		throw NetlinkError("cannot open a generic netlink socket: " +
				   nl_error_text(rc));
	nl_socket_enable_msg_peek(sock.get());
	nl_socket_set_buffer_size(sock.get(), kSocketBufferBytes,
				  kSocketBufferBytes);
	return sock;
}

// The family's id, or its multicast group's id when `group` is given.
int resolve(nl_sock *sock, const std::string &family, const char *group)
{
	const int id =
		group ? genl_ctrl_resolve_grp(sock, family.c_str(), group)
		      : genl_ctrl_resolve(sock, family.c_str());
	if (id == -NLE_OBJ_NOTFOUND)
		throw family_missing(family);
	if (id < 0)
		throw NetlinkError("cannot look up generic netlink family \"" +
				   family + "\"" +
				   (group ? std::string(" group ") + group
					  : std::string()) +
				   ": " + nl_error_text(id));
	return id;
}

NlCallbacks valid_callbacks(Transaction &t)
{
	NlCallbacks cb(nl_cb_alloc(NL_CB_DEFAULT));
	if (!cb)
		throw NetlinkError("cannot allocate netlink callbacks");
	nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);
	return cb;
}

} // namespace

GenlClient::GenlClient(const std::string &family) : sock_(connected_socket())
{
	const int fd = nl_socket_get_fd(sock_.get());
	enable_socket_option(fd, NETLINK_EXT_ACK);
	// Errors need not echo the whole request back: the extack is enough.
	enable_socket_option(fd, NETLINK_CAP_ACK);
	set_reply_timeout(fd);
	family_ = resolve(sock_.get(), family, nullptr);
}

GenlSubscription::GenlSubscription(const std::string &group,
				   const std::string &family)
	: sock_(connected_socket())
{
	const int id = resolve(sock_.get(), family, group.c_str());
	int rc = nl_socket_add_membership(sock_.get(), id);
	if (rc >= 0)
		rc = nl_socket_set_nonblocking(sock_.get());
	if (rc < 0)
		throw NetlinkError("cannot subscribe to the " + family + " " +
				   group + " messages: " + nl_error_text(rc));
}

bool GenlSubscription::receive(const GenlClient::ReplyHandler &on_message)
{
	Transaction t;
	t.on_reply = &on_message;
	const NlCallbacks cb = valid_callbacks(t);
	// Multicasts answer no request: their sequence numbers are 0.
	nl_cb_set(cb.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, accept_any_sequence,
		  nullptr);
	int rc;
	while ((rc = nl_recvmsgs_report(sock_.get(), cb.get())) > 0)
		;
	if (t.handler_error)
		std::rethrow_exception(t.handler_error);
	// libnl reports the socket's ENOBUFS as NLE_NOMEM.
	if (rc == -NLE_NOMEM)
		return false;
	if (rc < 0 && rc != -NLE_AGAIN)
		throw NetlinkError("cannot read rdbd events: " +
				   nl_error_text(rc));
	return true;
}

NlMessage GenlClient::new_request(uint8_t cmd, int flags,
				  size_t payload_bytes) const
{
	NlMessage msg(payload_bytes
			      ? nlmsg_alloc_size(payload_bytes + NLMSG_HDRLEN +
						 GENL_HDRLEN)
			      : nlmsg_alloc());
	if (!msg || !genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_,
				 0, flags, cmd, RDBD_GENL_VERSION))
		throw NetlinkError("cannot allocate a netlink message");
	return msg;
}

NlResult GenlClient::transact(nl_msg *request, const ReplyHandler &on_reply)
{
	Transaction t;
	t.on_reply = &on_reply;
	const NlCallbacks cb = valid_callbacks(t);
	nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_done, &t);
	nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_done, &t);
	nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &t);

	int rc = nl_send_auto(sock_.get(), request);
	if (rc < 0)
		throw NetlinkError("cannot send a netlink request: " +
				   nl_error_text(rc));
	while (!t.done) {
		// > 0: messages handled; 0: SO_RCVTIMEO expired; < 0: failure.
		// A refusal also returns < 0, but has set t.done first.
		rc = nl_recvmsgs_report(sock_.get(), cb.get());
		if (t.done)
			break;
		if (rc == 0)
			throw TimeoutError(
				"no answer from the kernel within " +
				std::to_string(kReplyTimeoutSeconds) + " s");
		if (rc < 0)
			throw NetlinkError("cannot read the netlink answer: " +
					   nl_error_text(rc));
	}
	if (t.handler_error)
		std::rethrow_exception(t.handler_error);
	return t.result;
}

std::string extack_message(const nlmsghdr *hdr)
{
	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	const auto *err = static_cast<const nlmsgerr *>(NLMSG_DATA(hdr));
	// The TLVs follow the nlmsgerr and, unless NETLINK_CAP_ACK capped it,
	// a copy of the request's payload.
	size_t offset = sizeof(*err);
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED))
		offset += NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN);
	const size_t payload = hdr->nlmsg_len - NLMSG_HDRLEN;
	if (payload <= offset)
		return "";

	auto *tlvs = reinterpret_cast<nlattr *>(const_cast<char *>(
		reinterpret_cast<const char *>(err) + offset));
	const nlattr *msg = nla_find(tlvs, static_cast<int>(payload - offset),
				     NLMSGERR_ATTR_MSG);
	if (!msg)
		return "";
	const char *text = static_cast<const char *>(nla_data(msg));
	return std::string(text, strnlen(text, nla_len(msg)));
}

void put_attr(nl_msg *msg, int type, const void *data, size_t len)
{
	if (nla_put(msg, type, static_cast<int>(len), data) < 0)
		throw NetlinkError("netlink message too large for attribute " +
				   std::to_string(type));
}

void put_u8(nl_msg *msg, int type, uint8_t value)
{
	put_attr(msg, type, &value, sizeof(value));
}

void put_u32(nl_msg *msg, int type, uint32_t value)
{
	put_attr(msg, type, &value, sizeof(value));
}

void put_string(nl_msg *msg, int type, const std::string &value)
{
	put_attr(msg, type, value.c_str(), value.size() + 1);
}

void put_bytes(nl_msg *msg, int type, const std::vector<uint8_t> &value)
{
	put_attr(msg, type, value.data(), value.size());
}

NestedAttr::NestedAttr(nl_msg *msg, int type)
	: msg_(msg), start_(nla_nest_start(msg, type))
{
	if (!start_)
		throw NetlinkError("netlink message too large for attribute " +
				   std::to_string(type));
}

NestedAttr::~NestedAttr()
{
	nla_nest_end(msg_, start_);
}

} // namespace rdbd
