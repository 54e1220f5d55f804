#include "hb_messages.h"

#include <algorithm>

#include "hb_text.h"

namespace rdbd::hb {

namespace {

constexpr std::string_view kBegin = ">>>\n";
constexpr std::string_view kEnd = "<<<\n";
constexpr std::string_view kAuth = "auth=";

bool valid_name(std::string_view name)
{
	return !name.empty() && name.size() <= 32 &&
	       std::all_of(name.begin(), name.end(), [](char c) {
		       return (c >= 'a' && c <= 'z') || c == '_' ||
			      (c >= '0' && c <= '9');
	       });
}

// name=value lines, in order; false on any malformed line.
bool parse_fields(std::string_view body,
		  std::vector<std::pair<std::string, std::string>> &out)
{
	while (!body.empty()) {
		const size_t nl = body.find('\n');
		if (nl == std::string_view::npos)
			return false;
		const std::string_view line = body.substr(0, nl);
		body.remove_prefix(nl + 1);
		const size_t eq = line.find('=');
		if (eq == std::string_view::npos || !valid_name(line.substr(0, eq)))
			return false;
		out.emplace_back(std::string(line.substr(0, eq)),
				 std::string(line.substr(eq + 1)));
	}
	return true;
}

std::optional<Message> to_message(
	const std::vector<std::pair<std::string, std::string>> &fields)
{
	Message m;
	for (const auto &[name, value] : fields) {
		if (m.fields.count(name))
			return std::nullopt; // a field twice: ambiguous
		m.fields[name] = value;
	}
	const auto gen = parse_unsigned(m.field("gen"), 16);
	const auto seq = parse_unsigned(m.field("seq"), 16);
	m.type = m.field("t");
	m.src = m.field("src");
	if (m.type.empty() || m.src.empty() || !gen || !seq || *gen == 0 ||
	    *seq == 0)
		return std::nullopt;
	m.generation = *gen;
	m.seq = *seq;
	for (const char *core : {"t", "src", "gen", "seq"})
		m.fields.erase(core);
	return m;
}

std::string hex(uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(v));
	return buf;
}

} // namespace

std::string Message::field(const std::string &name) const
{
	const auto it = fields.find(name);
	return it == fields.end() ? std::string() : it->second;
}

const char *drop_name(Drop d)
{
	static const char *const names[] = {
		"oversized",	"truncated",	"malformed",
		"unknown_key_id", "bad_digest", "unknown_node",
		"old_generation", "replay", "unconfirmed"};
	static_assert(sizeof(names) / sizeof(names[0]) ==
		      static_cast<size_t>(Drop::kCount));
	return names[static_cast<size_t>(d)];
}

std::string encode_message(const Message &m, const AuthKey &signer)
{
	std::string out(kBegin);
	out += "t=" + m.type + "\nsrc=" + m.src + "\ngen=" + hex(m.generation) +
	       "\nseq=" + hex(m.seq) + "\n";
	for (const auto &[name, value] : m.fields)
		out += name + "=" + value + "\n";
	const std::string digest = auth_digest(signer, out);
	out += std::string(kAuth) + std::to_string(signer.id) + " " + digest +
	       "\n";
	out += kEnd;
	return out;
}

Decoded decode_message(std::string_view d, const AuthKeys &keys)
{
	Decoded r;
	if (d.size() > kMaxDatagram) {
		r.drop = Drop::kOversized;
		return r;
	}
	if (d.size() < kBegin.size() + kEnd.size() ||
	    d.substr(d.size() - kEnd.size()) != kEnd) {
		r.drop = Drop::kTruncated;
		return r;
	}
	if (d.substr(0, kBegin.size()) != kBegin)
		return r;
	const std::string_view inner = d.substr(0, d.size() - kEnd.size());
	// The auth line is the last one: it signs every byte before it.
	const size_t auth_at = inner.rfind(std::string("\n") + std::string(kAuth));
	if (auth_at == std::string_view::npos || inner.back() != '\n')
		return r;
	const std::string_view signed_part = inner.substr(0, auth_at + 1);
	std::string_view auth = inner.substr(auth_at + 1 + kAuth.size());
	auth.remove_suffix(1); // its newline
	const size_t space = auth.find(' ');
	if (space == std::string_view::npos)
		return r;
	const auto id = parse_unsigned(std::string(auth.substr(0, space)));
	if (!id) 
		return r;
	const auto key = keys.keys.find(static_cast<unsigned>(*id));
	if (key == keys.keys.end()) {
		r.drop = Drop::kUnknownKeyId;
		return r;
	}
	if (!auth_verify(key->second, signed_part, auth.substr(space + 1))) {
		r.drop = Drop::kBadDigest;
		return r;
	}
	std::vector<std::pair<std::string, std::string>> fields;
	if (!parse_fields(signed_part.substr(kBegin.size()), fields))
		return r;
	r.message = to_message(fields);
	return r;
}

ReplayGuard::Verdict ReplayGuard::check(uint64_t generation, uint64_t seq,
					size_t link, std::optional<uint64_t> echo)
{
	if (generation < std::max(generation_, floor_))
		return Verdict::kOldGeneration;
	heard_ = std::max(heard_, generation);
	if (generation > generation_) {
		// A generation not accepted yet: only on proof of freshness.
		if (echo && *echo != own_)
			return Verdict::kUnconfirmed;
		const bool restarted = generation_ != 0;
		generation_ = generation;
		seq_ = seq;
		std::fill(link_seq_.begin(), link_seq_.end(), 0);
		link_seq_.at(link) = seq;
		return restarted ? Verdict::kRestarted : Verdict::kNew;
	}
	if (seq <= link_seq_.at(link))
		return Verdict::kReplay;
	link_seq_[link] = seq;
	if (seq <= seq_)
		return Verdict::kDuplicate;
	seq_ = seq;
	return Verdict::kNew;
}

} // namespace rdbd::hb
