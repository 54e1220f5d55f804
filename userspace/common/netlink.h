// Generic netlink client for the "rdbd" family (include/rdbd/genl.h).
//
// Shaped after iw and ethtool: one request at a time; the ack, error and
// data callbacks fill one Transaction the caller loops on; NETLINK_EXT_ACK
// is on so the kernel's own message reaches the user.  libnl objects live
// in unique_ptrs, so no error path leaks one.
#pragma once

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <rdbd/genl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rdbd {

struct NlSockFree {
	void operator()(nl_sock *s) const { nl_socket_free(s); }
};
struct NlMsgFree {
	void operator()(nl_msg *m) const { nlmsg_free(m); }
};
struct NlCbPut {
	void operator()(nl_cb *c) const { nl_cb_put(c); }
};
using NlSocket = std::unique_ptr<nl_sock, NlSockFree>;
using NlMessage = std::unique_ptr<nl_msg, NlMsgFree>;
using NlCallbacks = std::unique_ptr<nl_cb, NlCbPut>;

// What the kernel answered to one request.
struct NlResult {
	int error = 0;	    // 0, or the negative errno of the answer
	std::string extack; // NLMSGERR_ATTR_MSG, empty if none was sent
};

class GenlClient {
public:
	// Connects and resolves `family`.  Throws NetlinkError (exit 4); when
	// the family is not registered the message says to load the module.
	explicit GenlClient(const std::string &family = RDBD_GENL_FAMILY_NAME);

	// A request for `cmd`; `payload_bytes` 0 means libnl's default size.
	NlMessage new_request(uint8_t cmd, int flags = 0,
			      size_t payload_bytes = 0) const;

	using ReplyHandler = std::function<void(nl_msg *)>;
	// Sends `request` and reads until its ack, error or end of dump,
	// passing each data message to `on_reply`.  A refusal comes back in
	// the result; only a transport failure throws (NetlinkError, or
	// TimeoutError if the kernel stays silent).
	NlResult transact(nl_msg *request, const ReplyHandler &on_reply = {});

private:
	NlSocket sock_;
	int family_ = -1;
};

// A socket that receives the family's multicast messages of one group
// (RDBD_GENL_MCAST_EVENTS), for poll() and receive().  Multicasts carry
// no request's sequence number, so this socket sends nothing.
class GenlSubscription {
public:
	// Throws NetlinkError, as GenlClient does.
	GenlSubscription(const std::string &group,
			 const std::string &family = RDBD_GENL_FAMILY_NAME);

	int fd() const { return nl_socket_get_fd(sock_.get()); }

	// Passes every message waiting on the socket to `on_message` and
	// returns without blocking.  Returns false if the kernel dropped
	// messages because the socket's queue was full (ENOBUFS): the
	// caller must read the state afresh.
	bool receive(const GenlClient::ReplyHandler &on_message);

private:
	NlSocket sock_;
};

// The extack text of an NLMSG_ERROR message, or "" if it carries none.
std::string extack_message(const nlmsghdr *error_message);

// Attribute puts that throw when the message is full instead of returning
// an error code every caller would have to check.
void put_attr(nl_msg *msg, int type, const void *data, size_t len);
void put_u8(nl_msg *msg, int type, uint8_t value);
void put_u32(nl_msg *msg, int type, uint32_t value);
void put_string(nl_msg *msg, int type, const std::string &value);
void put_bytes(nl_msg *msg, int type, const std::vector<uint8_t> &value);

// Opens a nested attribute and closes it when it goes out of scope.
class NestedAttr {
public:
	NestedAttr(nl_msg *msg, int type);
	~NestedAttr();
	NestedAttr(const NestedAttr &) = delete;
	NestedAttr &operator=(const NestedAttr &) = delete;

private:
	nl_msg *msg_;
	nlattr *start_;
};

} // namespace rdbd
