// Netlink decoding that needs no kernel: extack TLVs and status replies.
#include <catch2/catch.hpp>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <cerrno>
#include <cstring>

#include "netlink.h"
#include "status.h"

using namespace rdbd;

namespace {

// An NLMSG_ERROR answer as the kernel builds it: nlmsgerr, then (unless
// capped) the request's payload, then the extack TLVs.
std::vector<uint8_t> error_message(const std::string &text, bool capped,
				   bool with_tlvs = true)
{
	const size_t request_payload = 12; // a genl header and one u32 attr
	nlmsghdr request{};
	request.nlmsg_len = NLMSG_HDRLEN + request_payload;

	std::vector<uint8_t> buf(NLMSG_HDRLEN + sizeof(nlmsgerr));
	if (!capped)
		buf.resize(buf.size() + NLMSG_ALIGN(request_payload), 0xEE);
	if (with_tlvs) {
		const size_t at = buf.size();
		const size_t attr_len = NLA_HDRLEN + text.size() + 1;
		buf.resize(at + NLA_ALIGN(attr_len), 0);
		nlattr a{static_cast<uint16_t>(attr_len), NLMSGERR_ATTR_MSG};
		std::memcpy(&buf[at], &a, sizeof(a));
		std::memcpy(&buf[at + NLA_HDRLEN], text.c_str(),
			    text.size() + 1);
	}
	nlmsghdr hdr{};
	hdr.nlmsg_len = static_cast<uint32_t>(buf.size());
	hdr.nlmsg_type = NLMSG_ERROR;
	hdr.nlmsg_flags =
		(capped ? NLM_F_CAPPED : 0) | (with_tlvs ? NLM_F_ACK_TLVS : 0);
	nlmsgerr err{};
	err.error = -EINVAL;
	err.msg = request;
	std::memcpy(buf.data(), &hdr, sizeof(hdr));
	std::memcpy(&buf[NLMSG_HDRLEN], &err, sizeof(err));
	return buf;
}

const nlmsghdr *header(const std::vector<uint8_t> &buf)
{
	return reinterpret_cast<const nlmsghdr *>(buf.data());
}

} // namespace

TEST_CASE("extack message from an error answer", "[netlink]")
{
	const std::string text = "Need access to UpToDate data";
	CHECK(extack_message(header(error_message(text, true))) == text);
	CHECK(extack_message(header(error_message(text, false))) == text);
	CHECK(extack_message(header(error_message(text, true, false))) == "");
}

TEST_CASE("a status reply decodes into DeviceStatus", "[netlink][status]")
{
	NlMessage msg(nlmsg_alloc());
	REQUIRE(genlmsg_put(msg.get(), 0, 0, 0x20, 0, 0, RDBD_CMD_GET_STATUS,
			    RDBD_GENL_VERSION));
	put_u32(msg.get(), RDBD_A_MINOR, 3);
	put_string(msg.get(), RDBD_A_RES_NAME, "r3");
	{
		const NestedAttr status(msg.get(), RDBD_A_STATUS);
		put_u8(msg.get(), RDBD_STATUS_ROLE, RDBD_ROLE_PRIMARY);
		put_u8(msg.get(), RDBD_STATUS_CONN_STATE,
		       RDBD_CONN_SYNC_TARGET);
		put_u8(msg.get(), RDBD_STATUS_PROTOCOL, RDBD_PROT_B);
		nla_put_u64(msg.get(), RDBD_STATUS_SIZE_SECTORS, 2048);
		nla_put_u64(msg.get(), RDBD_STATUS_OUT_OF_SYNC_KIB, 256);
		nla_put_u64(msg.get(), RDBD_STATUS_SYNC_TOTAL_KIB, 1024);
		nla_put_u64(msg.get(), RDBD_STATUS_SYNC_ELAPSED_MS, 300);
		nla_put_u64(msg.get(), RDBD_STATUS_RESYNC_SENT_KIB, 7);
		nla_put_u64(msg.get(), RDBD_STATUS_RESYNC_RECEIVED_KIB, 768);
		put_u32(msg.get(), RDBD_STATUS_OPEN_COUNT, 2);
		put_string(msg.get(), RDBD_STATUS_BACKING_PATH, "/dev/vdb");
	}
	const DeviceStatus s = parse_status(msg.get());
	CHECK(s.minor == 3);
	CHECK(s.resource == "r3");
	CHECK(s.role == RDBD_ROLE_PRIMARY);
	CHECK(s.conn_state == RDBD_CONN_SYNC_TARGET);
	CHECK(s.protocol == RDBD_PROT_B);
	CHECK(s.size_sectors == 2048);
	CHECK(s.out_of_sync_kib == 256);
	CHECK(s.open_count == 2);
	CHECK(s.backing_path == "/dev/vdb");
	CHECK(s.disk_state == RDBD_DISK_DISKLESS); // absent: default
	CHECK(s.sync_total_kib == 1024);
	CHECK(s.sync_elapsed_ms == 300);
	CHECK(s.resync_sent_kib == 7);
	CHECK(s.resync_received_kib == 768);
	CHECK(s.sync_percent() == Approx(75.0));
}

TEST_CASE("a status reply with a malformed attribute is rejected",
	  "[netlink][status]")
{
	NlMessage msg(nlmsg_alloc());
	REQUIRE(genlmsg_put(msg.get(), 0, 0, 0x20, 0, 0, RDBD_CMD_GET_STATUS,
			    RDBD_GENL_VERSION));
	put_u32(msg.get(), RDBD_A_MINOR, 3);
	{
		const NestedAttr status(msg.get(), RDBD_A_STATUS);
		put_u8(msg.get(), RDBD_STATUS_SIZE_SECTORS, 1); // u64 expected
	}
	REQUIRE_THROWS_AS(parse_status(msg.get()), NetlinkError);

	NlMessage no_minor(nlmsg_alloc());
	REQUIRE(genlmsg_put(no_minor.get(), 0, 0, 0x20, 0, 0,
			    RDBD_CMD_GET_STATUS, RDBD_GENL_VERSION));
	REQUIRE_THROWS_WITH(parse_status(no_minor.get()),
			    "malformed status from the kernel: no minor");
}
