// authkeys: which keys sign and verify heartbeat messages.
//
//   auth 2            # the id that signs outgoing messages
//   1 sha1 oldsecret  # every listed id verifies incoming ones, so keys
//   2 sha256 newsecret#   rotate without a flag day
//
// md5, sha1 and sha256 are HMACs (OpenSSL libcrypto); crc is an unkeyed
// CRC-32 that only catches corruption and authenticates nothing.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>

namespace rdbd::hb {

enum class AuthMethod { kCrc, kMd5, kSha1, kSha256 };

struct AuthKey {
	unsigned id = 0;
	AuthMethod method = AuthMethod::kSha1;
	std::string secret; // empty for crc
};

struct AuthKeys {
	unsigned signing_id = 0;
	std::map<unsigned, AuthKey> keys;

	const AuthKey &signer() const { return keys.at(signing_id); }
	bool uses_crc() const;
};

// Throws ConfigError with "FILE:LINE: ..." for any mistake, including a
// key with spaces (Heartbeat silently keeps only its first word).
AuthKeys parse_authkeys(const std::string &text, const std::string &file);

// The key file must be owned by root and closed to group and others
// (mode 600 or stricter); throws ConfigError naming the file otherwise.
void check_key_file_mode(const std::string &file, mode_t mode, uid_t owner);
// stat() the file, then check_key_file_mode.
void check_key_file(const std::string &file);

// Hex digest of `data` under `key`.
std::string auth_digest(const AuthKey &key, std::string_view data);
// Constant-time comparison of auth_digest(key, data) with `digest`.
bool auth_verify(const AuthKey &key, std::string_view data,
		 std::string_view digest);

const char *method_name(AuthMethod m);

} // namespace rdbd::hb
