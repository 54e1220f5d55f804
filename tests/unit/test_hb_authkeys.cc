// authkeys parsing, the key file's permissions and the digests.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "hb_auth.h"
#include "hb_config.h"

using namespace rdbd::hb;

namespace {

std::string error_of(const std::string &text)
{
	try {
		parse_authkeys(text, "authkeys");
	} catch (const ConfigError &e) {
		return e.what();
	}
	return "no error";
}

} // namespace

TEST_CASE("authkeys: rotation with several ids", "[hb][authkeys]")
{
	const auto k = parse_authkeys("# rotate\nauth 2\n1 sha1 old\n"
				      "2 sha256 new\n3 md5 other\n15 crc\n",
				      "authkeys");
	CHECK(k.signing_id == 2);
	CHECK(k.signer().method == AuthMethod::kSha256);
	CHECK(k.signer().secret == "new");
	CHECK(k.keys.size() == 4);
	CHECK(k.keys.at(15).method == AuthMethod::kCrc);
	CHECK(k.uses_crc());
	CHECK_FALSE(parse_authkeys("auth 1\n1 sha1 k\n", "a").uses_crc());
}

TEST_CASE("authkeys: every error names file and line", "[hb][authkeys]")
{
	CHECK(error_of("1 sha1 k\n") ==
	      "authkeys: no 'auth N' line choosing the signing key");
	CHECK(error_of("auth 2\n1 sha1 k\n") ==
	      "authkeys:1: 'auth 2' names a key id that is not listed");
	CHECK(error_of("auth 1\nauth 1\n1 sha1 k\n") ==
	      "authkeys:2: 'auth' given twice (first at line 1)");
	CHECK(error_of("auth\n") == "authkeys:1: 'auth' takes one key id");
	CHECK(error_of("auth 16\n") == "authkeys:1: bad key id '16' (0-15)");
	CHECK(error_of("auth 1\nx sha1 k\n") == "authkeys:2: bad key id 'x' (0-15)");
	CHECK(error_of("auth 1\n1 sha1 k\n1 md5 j\n") ==
	      "authkeys:3: key id 1 is listed twice");
	CHECK(error_of("auth 1\n1\n") ==
	      "authkeys:2: key 1 needs a method: crc, md5, sha1 or sha256");
	CHECK(error_of("auth 1\n1 des k\n") ==
	      "authkeys:2: unknown method 'des' (crc, md5, sha1 or sha256)");
	CHECK(error_of("auth 1\n1 sha1\n") == "authkeys:2: sha1 needs a key");
	CHECK(error_of("auth 1\n1 crc k\n") == "authkeys:2: crc takes no key");
	CHECK(error_of("auth 1\n1 sha1 two words\n") ==
	      "authkeys:2: the key must be one word: it contains spaces");
}

TEST_CASE("authkeys: the file must be root's and mode 600", "[hb][authkeys]")
{
	CHECK_NOTHROW(check_key_file_mode("/etc/ha.d/authkeys", S_IFREG | 0600, 0));
	CHECK_NOTHROW(check_key_file_mode("/etc/ha.d/authkeys", S_IFREG | 0400, 0));
	CHECK_THROWS_WITH(check_key_file_mode("/etc/ha.d/authkeys", S_IFREG | 0644, 0),
			  "/etc/ha.d/authkeys: bad permissions 644: others "
			  "could read the keys; chmod 600 /etc/ha.d/authkeys");
	CHECK_THROWS_WITH(check_key_file_mode("k", S_IFREG | 0640, 0),
			  Catch::Contains("bad permissions 640"));
	CHECK_THROWS_WITH(check_key_file_mode("k", S_IFREG | 0600, 1000),
			  "k: must be owned by root (uid 1000 owns it)");
	CHECK_THROWS_WITH(check_key_file("/nonexistent/authkeys"),
			  "/nonexistent/authkeys: No such file or directory");
}

TEST_CASE("authkeys: digests", "[hb][authkeys]")
{
	AuthKey sha1{1, AuthMethod::kSha1, "key"};
	// RFC 2202-style known answer: HMAC-SHA1("key", "The quick brown fox...")
	CHECK(auth_digest(sha1, "The quick brown fox jumps over the lazy dog") ==
	      "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9");
	AuthKey md5{2, AuthMethod::kMd5, "key"};
	CHECK(auth_digest(md5, "The quick brown fox jumps over the lazy dog") ==
	      "80070713463e7749b90c2dc24911e275");
	AuthKey sha256{3, AuthMethod::kSha256, "key"};
	CHECK(auth_digest(sha256, "The quick brown fox jumps over the lazy dog") ==
	      "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
	AuthKey crc{4, AuthMethod::kCrc, ""};
	CHECK(auth_digest(crc, "123456789") == "cbf43926");
	CHECK(auth_verify(sha256, "abc", auth_digest(sha256, "abc")));
	CHECK_FALSE(auth_verify(sha256, "abd", auth_digest(sha256, "abc")));
	CHECK_FALSE(auth_verify(sha256, "abc", "00"));
}

TEST_CASE("authkeys: a '#' inside a key is refused, a comment is not",
	  "[hb][authkeys]")
{
	CHECK(error_of("auth 1\n1 sha256 abc#def\n") ==
	      "authkeys:2: '#' inside a word: Heartbeat would cut the key "
	      "there and use another key than the one written; use a key "
	      "without '#'");
	const auto k = parse_authkeys("# keys\nauth 1 # signing\n"
				      "1 sha256 abcdef # the key\n",
				      "authkeys");
	CHECK(k.keys.at(1).secret == "abcdef");
}

TEST_CASE("authkeys: the seed's sha is sha1", "[hb][authkeys]")
{
	const auto k = parse_authkeys("auth 1\n1 sha seedsecret\n", "authkeys");
	CHECK(k.keys.at(1).method == AuthMethod::kSha1);
	CHECK(k.keys.at(1).secret == "seedsecret");
	CHECK(error_of("auth 1\n1 shaa x\n") ==
	      "authkeys:2: unknown method 'shaa' (crc, md5, sha1 or sha256)");
}
