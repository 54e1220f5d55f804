#include "hb_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>

#include "hb_config.h"
#include "hb_log.h"
#include "hb_text.h"

namespace rdbd::hb {

namespace {

constexpr unsigned kMaxKeyId = 15; // Heartbeat's range: 0-15

std::optional<AuthMethod> method_by_name(const std::string &name)
{
	if (name == "crc")
		return AuthMethod::kCrc;
	if (name == "md5")
		return AuthMethod::kMd5;
	if (name == "sha1")
		return AuthMethod::kSha1;
	if (name == "sha256")
		return AuthMethod::kSha256;
	return std::nullopt;
}

const EVP_MD *digest_of(AuthMethod m)
{
	switch (m) {
	case AuthMethod::kMd5:
		return EVP_md5();
	case AuthMethod::kSha1:
		return EVP_sha1();
	case AuthMethod::kSha256:
		return EVP_sha256();
	case AuthMethod::kCrc:
		break;
	}
	return nullptr;
}

class AuthkeysParser {
public:
	explicit AuthkeysParser(const std::string &file) : file_(file) {}
	void line(size_t number, const std::vector<std::string> &words);
	AuthKeys finish();

private:
	[[noreturn]] void fail(const std::string &m) const
	{
		throw ConfigError(file_ + ":" + std::to_string(line_) + ": " + m);
	}
	unsigned key_id(const std::string &text) const;
	void key_line(const std::vector<std::string> &w);

	std::string file_;
	size_t line_ = 0;
	size_t auth_line_ = 0;
	AuthKeys keys_;
};

unsigned AuthkeysParser::key_id(const std::string &text) const
{
	const auto id = parse_unsigned(text);
	if (!id || *id > kMaxKeyId)
		fail("bad key id '" + text + "' (0-15)");
	return static_cast<unsigned>(*id);
}

void AuthkeysParser::key_line(const std::vector<std::string> &w)
{
	AuthKey key;
	key.id = key_id(w[0]);
	if (keys_.keys.count(key.id))
		fail("key id " + w[0] + " is listed twice");
	if (w.size() < 2)
		fail("key " + w[0] + " needs a method: crc, md5, sha1 or sha256");
	auto method = method_by_name(lowercase(w[1]));
	if (lowercase(w[1]) == "sha") {
		// The seed's authkeys says `sha`, which Heartbeat has no
		// plugin for; its authors meant sha1.  Both nodes read the
		// same file, so the meaning only has to be one.
		log_warn(file_ + ":" + std::to_string(line_) +
			 ": method 'sha' is read as sha1; write sha1, or "
			 "better sha256");
		method = AuthMethod::kSha1;
	}
	if (!method)
		fail("unknown method '" + w[1] +
		     "' (crc, md5, sha1 or sha256)");
	key.method = *method;
	if (key.method == AuthMethod::kCrc) {
		if (w.size() > 2)
			fail("crc takes no key");
	} else if (w.size() < 3) {
		fail(w[1] + " needs a key");
	} else if (w.size() > 3) {
		// Heartbeat would silently sign with the first word only.
		fail("the key must be one word: it contains spaces");
	} else {
		key.secret = w[2];
	}
	keys_.keys[key.id] = key;
}

void AuthkeysParser::line(size_t number, const std::vector<std::string> &w)
{
	line_ = number;
	if (w[0] != "auth") {
		key_line(w);
		return;
	}
	if (auth_line_)
		fail("'auth' given twice (first at line " +
		     std::to_string(auth_line_) + ")");
	if (w.size() != 2)
		fail("'auth' takes one key id");
	auth_line_ = number;
	keys_.signing_id = key_id(w[1]);
}

AuthKeys AuthkeysParser::finish()
{
	if (!auth_line_)
		throw ConfigError(file_ +
				  ": no 'auth N' line choosing the signing key");
	if (!keys_.keys.count(keys_.signing_id)) {
		line_ = auth_line_;
		fail("'auth " + std::to_string(keys_.signing_id) +
		     "' names a key id that is not listed");
	}
	return keys_;
}

} // namespace

bool AuthKeys::uses_crc() const
{
	for (const auto &[id, key] : keys)
		if (key.method == AuthMethod::kCrc)
			return true;
	return false;
}

const char *method_name(AuthMethod m)
{
	switch (m) {
	case AuthMethod::kCrc:
		return "crc";
	case AuthMethod::kMd5:
		return "md5";
	case AuthMethod::kSha1:
		return "sha1";
	case AuthMethod::kSha256:
		return "sha256";
	}
	return "?";
}

// Heartbeat cuts a line at its first '#', so a key "ab#cd" silently
// becomes "ab" there: a key that is not the one written.  A '#' that
// begins a word starts a comment as usual; one inside a word is refused.
static void refuse_hash_in_word(const std::string &text, const std::string &file)
{
	size_t number = 0, start = 0;
	while (start <= text.size()) {
		size_t end = text.find('\n', start);
		if (end == std::string::npos)
			end = text.size();
		number++;
		const std::string line = text.substr(start, end - start);
		const size_t hash = line.find('#');
		if (hash != std::string::npos && hash > 0 &&
		    !std::isspace(static_cast<unsigned char>(line[hash - 1])))
			throw ConfigError(file + ":" + std::to_string(number) +
					  ": '#' inside a word: Heartbeat "
					  "would cut the key there and use "
					  "another key than the one written; "
					  "use a key without '#'");
		start = end + 1;
	}
}

AuthKeys parse_authkeys(const std::string &text, const std::string &file)
{
	refuse_hash_in_word(text, file);
	AuthkeysParser parser(file);
	for_each_config_line(text, [&](size_t n, const std::string &content) {
		parser.line(n, split_words(content));
	});
	return parser.finish();
}

void check_key_file_mode(const std::string &file, mode_t mode, uid_t owner)
{
	if (owner != 0)
		throw ConfigError(file + ": must be owned by root (uid " +
				  std::to_string(owner) + " owns it)");
	if (mode & 077) {
		char octal[8];
		snprintf(octal, sizeof(octal), "%03o", mode & 0777);
		throw ConfigError(file + ": bad permissions " + octal +
				  ": others could read the keys; chmod 600 " +
				  file);
	}
}

void check_key_file(const std::string &file)
{
	struct stat st;
	if (stat(file.c_str(), &st) != 0)
		throw ConfigError(file + ": " + strerror(errno));
	check_key_file_mode(file, st.st_mode, st.st_uid);
}

std::string auth_digest(const AuthKey &key, std::string_view data)
{
	const auto *bytes = reinterpret_cast<const unsigned char *>(data.data());
	if (key.method == AuthMethod::kCrc) {
		const uLong crc = crc32(crc32(0L, Z_NULL, 0), bytes,
					static_cast<uInt>(data.size()));
		char hex[9];
		snprintf(hex, sizeof(hex), "%08lx", crc);
		return hex;
	}
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	HMAC(digest_of(key.method), key.secret.data(),
	     static_cast<int>(key.secret.size()), bytes, data.size(), mac, &len);
	return to_hex(mac, len);
}

bool auth_verify(const AuthKey &key, std::string_view data,
		 std::string_view digest)
{
	const std::string expected = auth_digest(key, data);
	return expected.size() == digest.size() &&
	       CRYPTO_memcmp(expected.data(), digest.data(), digest.size()) == 0;
}

} // namespace rdbd::hb
