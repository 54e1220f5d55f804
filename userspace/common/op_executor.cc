#include "op_executor.h"

#include <cerrno>
#include <cstring>
#include <iterator>
#include <type_traits>

#include "create_md.h"
#include "device_name.h"
#include "overloaded.h"

namespace rdbd {

namespace {

NlMessage request(GenlClient &k, const NewMinorOp &o)
{
	NlMessage m = k.new_request(RDBD_CMD_NEW_MINOR);
	put_u32(m.get(), RDBD_A_MINOR, o.minor);
	put_string(m.get(), RDBD_A_RES_NAME, o.resource);
	return m;
}

NlMessage request(GenlClient &k, const AttachOp &o)
{
	NlMessage m = k.new_request(RDBD_CMD_ATTACH);
	put_u32(m.get(), RDBD_A_MINOR, o.minor);
	put_string(m.get(), RDBD_A_BACKING_PATH, o.disk);
	return m;
}

uint8_t protocol_value(char letter)
{
	return static_cast<uint8_t>(RDBD_PROT_A + (letter - 'A'));
}

NlMessage request(GenlClient &k, const ConnectOp &o)
{
	NlMessage m = k.new_request(RDBD_CMD_CONNECT);
	put_u32(m.get(), RDBD_A_MINOR, o.minor);
	if (o.discard_my_data)
		put_u32(m.get(), RDBD_A_FLAGS, RDBD_F_DISCARD_MY_DATA);
	const NestedAttr net(m.get(), RDBD_A_NET);
	put_bytes(m.get(), RDBD_NET_LOCAL_ADDR, o.local.sockaddr_bytes());
	put_bytes(m.get(), RDBD_NET_PEER_ADDR, o.peer.sockaddr_bytes());
	put_string(m.get(), RDBD_NET_PEER_NAME, o.peer_name);
	put_u8(m.get(), RDBD_NET_PROTOCOL, protocol_value(o.protocol));
	put_u32(m.get(), RDBD_NET_CONNECT_INT_MS, o.connect_int_ms);
	put_u32(m.get(), RDBD_NET_PING_INT_MS, o.ping_int_ms);
	put_u32(m.get(), RDBD_NET_PING_TIMEOUT_MS, o.ping_timeout_ms);
	put_u32(m.get(), RDBD_NET_TIMEOUT_MS, o.timeout_ms);
	static const int kAfterSb[3] = {RDBD_NET_AFTER_SB_0PRI,
					RDBD_NET_AFTER_SB_1PRI,
					RDBD_NET_AFTER_SB_2PRI};
	for (int i = 0; i < 3; ++i)
		if (o.after_sb[i] != RDBD_ASB_DISCONNECT)
			put_u8(m.get(), kAfterSb[i], o.after_sb[i]);
	if (!o.verify_alg.empty())
		put_string(m.get(), RDBD_NET_VERIFY_ALG, o.verify_alg);
	if (!o.cram_hmac_alg.empty()) {
		put_string(m.get(), RDBD_NET_CRAM_HMAC_ALG, o.cram_hmac_alg);
		// Binary: the kernel takes exactly these bytes, no NUL.
		put_attr(m.get(), RDBD_NET_SHARED_SECRET,
			 o.shared_secret.data(), o.shared_secret.size());
	}
	return m;
}

NlMessage request(GenlClient &k, const DiskOptsOp &o)
{
	NlMessage m = k.new_request(RDBD_CMD_DISK_OPTS);
	put_u32(m.get(), RDBD_A_MINOR, o.minor);
	const NestedAttr disk(m.get(), RDBD_A_DISK);
	// In the order of kDiskOptFields, with each attribute's width; the
	// kernel keeps what is left out.
	static const struct {
		int type;
		bool u8;
	} kAttrs[] = {
		{RDBD_DISK_RESYNC_RATE_KIB, false},
		{RDBD_DISK_C_PLAN_AHEAD_DS, false},
		{RDBD_DISK_C_MIN_RATE_KIB, false},
		{RDBD_DISK_C_MAX_RATE_KIB, false},
		{RDBD_DISK_AL_EXTENTS, false},
		{RDBD_DISK_ON_IO_ERROR, true},
		{RDBD_DISK_FENCING, true},
	};
	static_assert(std::size(kAttrs) == std::size(kDiskOptFields));
	for (size_t i = 0; i < std::size(kAttrs); ++i) {
		const std::optional<uint32_t> &v = o.*kDiskOptFields[i].field;
		if (!v)
			continue;
		if (kAttrs[i].u8)
			put_u8(m.get(), kAttrs[i].type, static_cast<uint8_t>(*v));
		else
			put_u32(m.get(), kAttrs[i].type, *v);
	}
	return m;
}

NlMessage request(GenlClient &k, const PrimaryOp &o)
{
	NlMessage m = k.new_request(RDBD_CMD_PRIMARY);
	put_u32(m.get(), RDBD_A_MINOR, o.minor);
	if (o.force)
		put_u32(m.get(), RDBD_A_FLAGS, RDBD_F_FORCE);
	return m;
}

// The requests that carry nothing but the minor, and their commands.
template <typename T> constexpr uint8_t kMinorOnlyCmd = 0;
template <> constexpr uint8_t kMinorOnlyCmd<SecondaryOp> = RDBD_CMD_SECONDARY;
template <> constexpr uint8_t kMinorOnlyCmd<DetachOp> = RDBD_CMD_DETACH;
template <>
constexpr uint8_t kMinorOnlyCmd<DisconnectOp> = RDBD_CMD_DISCONNECT;
template <> constexpr uint8_t kMinorOnlyCmd<DelMinorOp> = RDBD_CMD_DEL_MINOR;
template <>
constexpr uint8_t kMinorOnlyCmd<PauseSyncOp> = RDBD_CMD_PAUSE_SYNC;
template <>
constexpr uint8_t kMinorOnlyCmd<ResumeSyncOp> = RDBD_CMD_RESUME_SYNC;
template <> constexpr uint8_t kMinorOnlyCmd<OutdateOp> = RDBD_CMD_OUTDATE;
template <>
constexpr uint8_t kMinorOnlyCmd<InvalidateOp> = RDBD_CMD_INVALIDATE;
template <>
constexpr uint8_t kMinorOnlyCmd<InvalidateRemoteOp> =
	RDBD_CMD_INVALIDATE_REMOTE;
template <> constexpr uint8_t kMinorOnlyCmd<VerifyOp> = RDBD_CMD_VERIFY;
template <> constexpr uint8_t kMinorOnlyCmd<ResumeIoOp> = RDBD_CMD_RESUME_IO;

template <typename T,
	  typename = std::enable_if_t<kMinorOnlyCmd<T> != 0>>
NlMessage request(GenlClient &k, const T &o)
{
	NlMessage m = k.new_request(kMinorOnlyCmd<T>);
	put_u32(m.get(), RDBD_A_MINOR, o.minor);
	return m;
}

std::string op_name(const Op &op)
{
	const std::string text = format_op(op);
	return text.substr(0, text.find(' '));
}

std::string undo_completed_steps(const Plan &plan, size_t failed,
				 OpRunner &runner)
{
	std::string note = " (failed at '" + format_op(plan[failed].op) + "'";
	for (size_t i = failed; i-- > 0;) {
		if (!plan[i].undo)
			continue;
		const std::string undo = format_op(*plan[i].undo);
		try {
			runner.run(*plan[i].undo);
			note += "; undone with '" + undo + "'";
		} catch (const Error &e) {
			note += "; '" + undo + "' failed too: " + e.what();
		}
	}
	return note + ")";
}

} // namespace

bool needs_kernel(const Op &op)
{
	return !std::holds_alternative<CreateMdOp>(op);
}

bool needs_kernel(const Plan &plan)
{
	for (const Step &s : plan)
		if (needs_kernel(s.op))
			return true;
	return false;
}

void OpExecutor::connect()
{
	if (!kernel_)
		kernel_.emplace();
}

void OpExecutor::send(const Op &op, const NlMessage &request)
{
	const NlResult r = kernel_->transact(request.get());
	if (r.error)
		throw KernelError(kernel_refusal_message(op, r), -r.error,
				  r.extack);
}

void OpExecutor::run(const Op &op)
{
	const auto write_metadata = [&](const CreateMdOp &o) {
		create_metadata({o.resource, o.disk, o.force}, out_);
	};
	const auto ask_kernel = [&](const auto &o) {
		connect();
		send(op, request(*kernel_, o));
	};
	std::visit(Overloaded{write_metadata, ask_kernel}, op);
}

void run_plan(const Plan &plan, OpRunner &runner)
{
	for (size_t i = 0; i < plan.size(); ++i) {
		try {
			runner.run(plan[i].op);
		} catch (const Error &e) {
			if (plan.size() == 1)
				throw;
			throw Error(e.exit_code(),
				    e.what() + undo_completed_steps(plan, i,
								    runner));
		}
	}
}

std::string kernel_refusal_message(const Op &op, const NlResult &r)
{
	const std::string device = device_name(op_minor(op)) + ": ";
	if (r.extack.empty() && r.error == -EPERM)
		return device + op_name(op) + " failed: " +
		       std::strerror(-r.error) +
		       " (changing rdbd's state needs root: CAP_NET_ADMIN)";
	if (r.extack.empty())
		return device + op_name(op) +
		       " failed: " + std::strerror(-r.error);
	if (r.extack.compare(0, device.size(), device) == 0)
		return r.extack;
	return device + r.extack;
}

} // namespace rdbd
