// Every kind of invalid configuration, with the exact message it gets:
// "FILE:LINE:COL: what is wrong (what was expected)".
#include <catch2/catch.hpp>

#include "helpers.h"

using rdbd::test::config_error;

namespace {

struct BadConfig {
	const char *what;
	const char *text;
	const char *error;
};

// Two valid hosts to append to resources that are otherwise complete.
#define HOSTS                                                                  \
	"  on a { address 10.0.0.1:7000; }\n"                                  \
	"  on b { address 10.0.0.2:7000; }\n"

const BadConfig kSyntaxErrors[] = {
	{"unknown keyword in a resource",
	 "resource r0 {\n  devise /dev/rdbd0;\n}\n",
	 "t.conf:2:3: unknown keyword 'devise' in resource r0 (expected one "
	 "of: device, disk, meta-disk, net, startup, handlers, on)"},
	{"unknown keyword at top level", "resourse r0 {\n}\n",
	 "t.conf:1:1: unknown keyword 'resourse' at top level (expected one "
	 "of: global, common, include, resource)"},
	{"unknown keyword in net", "resource r0 {\n  net { protokol C; }\n}\n",
	 "t.conf:2:9: unknown keyword 'protokol' in 'net' of resource r0 "
	 "(expected one of: protocol, connect-int, ping-int, ping-timeout, "
	 "timeout, cram-hmac-alg, shared-secret, after-sb-0pri, after-sb-1pri, "
	 "after-sb-2pri, verify-alg)"},
	{"unknown keyword in on",
	 "resource r0 {\n  on a { adress 10.0.0.1:1; }\n}\n",
	 "t.conf:2:10: unknown keyword 'adress' in 'on a' of resource r0 "
	 "(expected one of: device, disk, meta-disk, address)"},
	{"missing ';' before the next keyword",
	 "resource r0 {\n  device /dev/rdbd0\n  disk /dev/vdb;\n}\n",
	 "t.conf:2:20: missing ';' after 'device /dev/rdbd0' (expected ';' "
	 "before 'disk')"},
	{"missing ';' before '}'",
	 "resource r0 {\n  on a { address 1.2.3.4:5 }\n}\n",
	 "t.conf:2:27: missing ';' after 'address 1.2.3.4:5' (expected ';' "
	 "before '}')"},
	{"missing ';' at the end of the file", "resource r0 {\n  disk /dev/vdb",
	 "t.conf:2:16: missing ';' after 'disk /dev/vdb' (expected ';' before "
	 "the end of the file)"},
	{"missing ';' after a two-word address",
	 "resource r0 {\n  on a { address ipv6 [::1]:5 disk /x; }\n}\n",
	 "t.conf:2:30: missing ';' after 'address ipv6 [::1]:5' (expected ';' "
	 "before 'disk')"},
	{"unterminated brace", "resource r0 {\n  disk /dev/vdb;\n",
	 "t.conf:1:13: unterminated section 'resource r0' (expected '}' "
	 "before the end of the file)"},
	{"unterminated nested brace",
	 "resource r0 {\n  net {\n    protocol C;\n",
	 "t.conf:2:7: unterminated section 'net' (expected '}' before the end "
	 "of the file)"},
	{"unterminated string", "resource r0 {\n  disk \"/dev/vdb;\n}\n",
	 "t.conf:2:8: unterminated string (expected a closing '\"' on the "
	 "same line)"},
	{"stray '}'", "}\n",
	 "t.conf:1:1: unexpected '}' at top level (no section is open)"},
	{"stray ';'", "resource r0 {\n ;\n}\n",
	 "t.conf:2:2: unexpected ';' in resource r0 (expected a keyword: "
	 "device, disk, meta-disk, net, startup, handlers, on)"},
	{"quoted keyword", "resource r0 {\n  \"disk\" /dev/vdb;\n}\n",
	 "t.conf:2:3: unexpected \"disk\" in resource r0 (expected a keyword: "
	 "device, disk, meta-disk, net, startup, handlers, on)"},
	{"section without a name", "resource {\n}\n",
	 "t.conf:1:10: missing name after 'resource' (expected 'resource NAME "
	 "{')"},
	{"section without '{'", "resource r0\n  disk /dev/vdb;\n",
	 "t.conf:2:3: expected '{' after 'resource r0' (found 'disk')"},
	{"net without '{'", "resource r0 {\n  net protocol C;\n}\n",
	 "t.conf:2:7: expected '{' after 'net' (found 'protocol')"},
	{"missing value", "resource r0 {\n  disk ;\n}\n",
	 "t.conf:2:8: missing value for 'disk' (expected an absolute path "
	 "shorter than 256 bytes)"},
	{"section where a value belongs",
	 "resource r0 {\n  on a { disk { } }\n}\n",
	 "t.conf:2:15: missing value for 'disk' (expected an absolute path "
	 "shorter than 256 bytes)"},
};

const BadConfig kValueErrors[] = {
	{"bad protocol", "resource r0 {\n  net { protocol D; }\n}\n",
	 "t.conf:2:18: bad value 'D' for 'protocol' (expected one of: A, B, "
	 "C)"},
	{"hash the kernel has no hmac of for rdbd",
	 "resource r0 {\n  net { cram-hmac-alg crc32c; }\n}\n",
	 "t.conf:2:23: bad value 'crc32c' for 'cram-hmac-alg' (expected one "
	 "of: sha1, sha256, sha512, md5)"},
	{"secret longer than the kernel takes",
	 "resource r0 {\n  net { shared-secret "
	 "12345678901234567890123456789012345678901234567890123456789012345; "
	 "}\n}\n",
	 "t.conf:2:23: value for 'shared-secret' is 65 bytes long (expected a "
	 "string of 1..64 bytes)"},
	{"empty secret", "resource r0 {\n  net { shared-secret \"\"; }\n}\n",
	 "t.conf:2:23: value for 'shared-secret' is 0 bytes long (expected a "
	 "string of 1..64 bytes)"},
	{"not a number", "resource r0 {\n  net { ping-int ten; }\n}\n",
	 "t.conf:2:18: bad value 'ten' for 'ping-int' (expected a number of "
	 "seconds, 1..120)"},
	{"negative number", "resource r0 {\n  net { connect-int -1; }\n}\n",
	 "t.conf:2:21: bad value '-1' for 'connect-int' (expected a number of "
	 "seconds, 1..120)"},
	{"ping-timeout below range",
	 "resource r0 {\n  net { ping-timeout 0; }\n}\n",
	 "t.conf:2:22: value 0 for 'ping-timeout' is out of range (expected "
	 "1..300 tenths of a second)"},
	{"ping-timeout above range",
	 "resource r0 {\n  net { ping-timeout 301; }\n}\n",
	 "t.conf:2:22: value 301 for 'ping-timeout' is out of range (expected "
	 "1..300 tenths of a second)"},
	{"timeout above range", "resource r0 {\n  net { timeout 601; }\n}\n",
	 "t.conf:2:17: value 601 for 'timeout' is out of range (expected "
	 "1..600 tenths of a second)"},
	{"connect-int above range",
	 "resource r0 {\n  net { connect-int 121; }\n}\n",
	 "t.conf:2:21: value 121 for 'connect-int' is out of range (expected "
	 "1..120 seconds)"},
	{"ping-int below range", "resource r0 {\n  net { ping-int 0; }\n}\n",
	 "t.conf:2:18: value 0 for 'ping-int' is out of range (expected "
	 "1..120 seconds)"},
	{"number too long for any integer",
	 "resource r0 {\n  net { timeout 99999999999999999999999; }\n}\n",
	 "t.conf:2:17: value 99999999999999999999999 for 'timeout' is out of "
	 "range (expected 1..600 tenths of a second)"},
	{"timeout not shorter than ping-int",
	 "resource r0 {\n  net { ping-int 5; }\n}\n",
	 "t.conf:2:3: 'timeout' 6.0 s is not shorter than 'ping-int' 5.0 s "
	 "(expected timeout < ping-int and timeout < connect-int)"},
	{"timeout not shorter than connect-int",
	 "resource r0 {\n  net { connect-int 2; timeout 20; }\n}\n",
	 "t.conf:2:3: 'timeout' 2.0 s is not shorter than 'connect-int' 2.0 s "
	 "(expected timeout < ping-int and timeout < connect-int)"},
	{"cram-hmac-alg without shared-secret",
	 "resource r0 {\n  net { protocol C;\n    cram-hmac-alg sha1; }\n}\n",
	 "t.conf:3:5: 'cram-hmac-alg' without 'shared-secret' (expected both "
	 "or neither: the peer proves it knows the shared-secret with an HMAC "
	 "of the cram-hmac-alg hash)"},
	{"shared-secret without cram-hmac-alg",
	 "resource r0 {\n  net { shared-secret x; }\n}\n",
	 "t.conf:2:9: 'shared-secret' without 'cram-hmac-alg' (expected both "
	 "or neither: the peer proves it knows the shared-secret with an HMAC "
	 "of the cram-hmac-alg hash)"},
	{"device not rdbd", "resource r0 {\n  device /dev/sdb;\n}\n",
	 "t.conf:2:10: bad value '/dev/sdb' for 'device' (expected /dev/rdbdN "
	 "with N in 0..255)"},
	{"device minor too big", "resource r0 {\n  device /dev/rdbd256;\n}\n",
	 "t.conf:2:10: bad value '/dev/rdbd256' for 'device' (expected "
	 "/dev/rdbdN with N in 0..255)"},
	{"device minor with leading zero",
	 "resource r0 {\n  device /dev/rdbd01;\n}\n",
	 "t.conf:2:10: bad value '/dev/rdbd01' for 'device' (expected "
	 "/dev/rdbdN with N in 0..255)"},
	{"external meta-disk", "resource r0 {\n  meta-disk /dev/sdc;\n}\n",
	 "t.conf:2:13: bad value '/dev/sdc' for 'meta-disk' (expected "
	 "internal; only internal meta data is supported)"},
	{"relative disk path", "resource r0 {\n  disk vdb;\n}\n",
	 "t.conf:2:8: bad value 'vdb' for 'disk' (expected an absolute path "
	 "shorter than 256 bytes)"},
	{"address without port",
	 "resource r0 {\n  on a { address 10.0.0.1; }\n}\n",
	 "t.conf:2:18: bad value '10.0.0.1' for 'address' (expected "
	 "IPv4:PORT or ipv6 [IPv6]:PORT)"},
	{"address with a host name",
	 "resource r0 {\n  on a { address corman:7789; }\n}\n",
	 "t.conf:2:18: bad value 'corman:7789' for 'address' (expected "
	 "IPv4:PORT or ipv6 [IPv6]:PORT)"},
	{"port 0", "resource r0 {\n  on a { address 10.0.0.1:0; }\n}\n",
	 "t.conf:2:18: bad port '0' in 'address' (expected 1..65535)"},
	{"port 65536", "resource r0 {\n  on a { address 10.0.0.1:65536; }\n}\n",
	 "t.conf:2:18: bad port '65536' in 'address' (expected 1..65535)"},
	{"unknown address family",
	 "resource r0 {\n  on a { address ipx 10.0.0.1:1; }\n}\n",
	 "t.conf:2:18: bad address family 'ipx' in 'address' (expected ipv4 "
	 "or ipv6)"},
	{"IPv6 without the ipv6 keyword",
	 "resource r0 {\n  on a { address [fd00::1]:1; }\n}\n",
	 "t.conf:2:18: bad value '[fd00::1]:1' for 'address' (expected "
	 "IPv4:PORT or ipv6 [IPv6]:PORT)"},
	{"IPv6 without brackets",
	 "resource r0 {\n  on a { address ipv6 fd00::1:1; }\n}\n",
	 "t.conf:2:23: bad value 'fd00::1:1' for 'address' (expected "
	 "IPv4:PORT or ipv6 [IPv6]:PORT)"},
	{"ipv4 keyword with an IPv6 address",
	 "resource r0 {\n  on a { address ipv4 [::1]:1; }\n}\n",
	 "t.conf:2:23: bad value '[::1]:1' for 'address' (expected IPv4:PORT "
	 "or ipv6 [IPv6]:PORT)"},
	{"bad resource name", "resource r/0 {\n}\n",
	 "t.conf:1:10: bad resource name 'r/0' (expected 1..63 characters "
	 "from A-Z a-z 0-9 _ . -)"},
	{"resource name too long",
	 "resource "
	 "r234567890123456789012345678901234567890123456789012345678901234 "
	 "{\n}\n",
	 "t.conf:1:10: bad resource name "
	 "'r234567890123456789012345678901234567890123456789012345678901234' "
	 "(expected 1..63 characters from A-Z a-z 0-9 _ . -)"},
	{"resource named all", "resource all {\n}\n",
	 "t.conf:1:10: bad resource name 'all' (expected any other name: "
	 "'all' means every resource)"},
};

// The disk, startup, handlers and split-brain options.
const BadConfig kOptionErrors[] = {
	{"unknown keyword in disk",
	 "resource r0 {\n  disk { resync-rat 10M; }\n}\n",
	 "t.conf:2:10: unknown keyword 'resync-rat' in 'disk' of resource r0 "
	 "(expected one of: al-extents, resync-rate, c-plan-ahead, "
	 "c-min-rate, c-max-rate, on-io-error, fencing)"},
	{"bad rate suffix", "resource r0 {\n  disk { resync-rate 10X; }\n}\n",
	 "t.conf:2:22: bad value '10X' for 'resync-rate' (expected a number "
	 "of KiB/s, 1..4194304, with an optional suffix k, M or G)"},
	{"suffix alone", "resource r0 {\n  disk { c-max-rate M; }\n}\n",
	 "t.conf:2:21: bad value 'M' for 'c-max-rate' (expected a number of "
	 "KiB/s, 250..4194304, with an optional suffix k, M or G)"},
	{"rate above range after its suffix",
	 "resource r0 {\n  disk { resync-rate 5G; }\n}\n",
	 "t.conf:2:22: value 5G for 'resync-rate' is out of range (expected "
	 "1..4194304 KiB/s)"},
	{"rate below range", "resource r0 {\n  disk { c-max-rate 249; }\n}\n",
	 "t.conf:2:21: value 249 for 'c-max-rate' is out of range (expected "
	 "250..4194304 KiB/s)"},
	{"suffix on a plain number",
	 "resource r0 {\n  disk { al-extents 1k; }\n}\n",
	 "t.conf:2:21: bad value '1k' for 'al-extents' (expected a number of "
	 "extents, 67..65534)"},
	{"al-extents below range",
	 "resource r0 {\n  disk { al-extents 7; }\n}\n",
	 "t.conf:2:21: value 7 for 'al-extents' is out of range (expected "
	 "67..65534 extents)"},
	{"c-plan-ahead above range",
	 "resource r0 {\n  disk { c-plan-ahead 301; }\n}\n",
	 "t.conf:2:23: value 301 for 'c-plan-ahead' is out of range (expected "
	 "0..300 tenths of a second)"},
	{"on-io-error DRBD spells with an underscore",
	 "resource r0 {\n  disk { on-io-error pass-on; }\n}\n",
	 "t.conf:2:22: bad value 'pass-on' for 'on-io-error' (expected one of: "
	 "detach, pass_on)"},
	{"on-io-error call-local-io-error is DRBD's, not rdbd's",
	 "resource r0 {\n  disk { on-io-error call-local-io-error; }\n}\n",
	 "t.conf:2:22: on-io-error call-local-io-error: not supported by rdbd; "
	 "use one of: detach, pass_on"},
	{"fencing with a word DRBD does not have",
	 "resource r0 {\n  disk { fencing stonith; }\n}\n",
	 "t.conf:2:18: bad value 'stonith' for 'fencing' (expected one of: "
	 "dont-care, resource-only, resource-and-stonith)"},
	{"after-sb-0pri value of another key",
	 "resource r0 {\n  net { after-sb-0pri consensus; }\n}\n",
	 "t.conf:2:23: bad value 'consensus' for 'after-sb-0pri' (expected one "
	 "of: disconnect, discard-younger-primary, discard-older-primary, "
	 "discard-zero-changes, discard-least-changes)"},
	{"after-sb-0pri value of DRBD's that rdbd does not implement",
	 "resource r0 {\n  net { after-sb-0pri discard-local; }\n}\n",
	 "t.conf:2:23: after-sb-0pri discard-local: not supported by rdbd; use "
	 "one of: disconnect, discard-younger-primary, discard-older-primary, "
	 "discard-zero-changes, discard-least-changes"},
	{"after-sb-1pri value of another key",
	 "resource r0 {\n  net { after-sb-1pri discard-local; }\n}\n",
	 "t.conf:2:23: bad value 'discard-local' for 'after-sb-1pri' (expected "
	 "one of: disconnect, consensus, discard-secondary)"},
	{"after-sb-1pri value of DRBD's that rdbd does not implement",
	 "resource r0 {\n  net { after-sb-1pri call-pri-lost-after-sb; }\n}\n",
	 "t.conf:2:23: after-sb-1pri call-pri-lost-after-sb: not supported by "
	 "rdbd; use one of: disconnect, consensus, discard-secondary"},
	{"after-sb-2pri value of another key",
	 "resource r0 {\n  net { after-sb-2pri discard-secondary; }\n}\n",
	 "t.conf:2:23: bad value 'discard-secondary' for 'after-sb-2pri' "
	 "(expected one of: disconnect)"},
	{"after-sb-2pri value of DRBD's that rdbd does not implement",
	 "resource r0 {\n  net { after-sb-2pri violently-as0p; }\n}\n",
	 "t.conf:2:23: after-sb-2pri violently-as0p: not supported by rdbd; use "
	 "one of: disconnect"},
	{"verify-alg without a kernel digest for rdbd",
	 "resource r0 {\n  net { verify-alg md5; }\n}\n",
	 "t.conf:2:20: bad value 'md5' for 'verify-alg' (expected one of: "
	 "crc32c, sha256)"},
	{"unknown keyword in startup",
	 "resource r0 {\n  startup { wfc-timeot 5; }\n}\n",
	 "t.conf:2:13: unknown keyword 'wfc-timeot' in 'startup' of resource "
	 "r0 (expected one of: wfc-timeout, degr-wfc-timeout, "
	 "become-primary-on)"},
	{"wfc-timeout above range",
	 "resource r0 {\n  startup { wfc-timeout 300001; }\n}\n",
	 "t.conf:2:25: value 300001 for 'wfc-timeout' is out of range "
	 "(expected 0..300000 seconds)"},
	{"degr-wfc-timeout not a number",
	 "resource r0 {\n  startup { degr-wfc-timeout 1m; }\n}\n",
	 "t.conf:2:30: bad value '1m' for 'degr-wfc-timeout' (expected a "
	 "number of seconds, 0..300000)"},
	{"become-primary-on a host the resource lacks",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n  startup { "
	 "become-primary-on c; }\n" HOSTS "}\n",
	 "t.conf:3:13: 'become-primary-on c' names no host of resource r0 "
	 "(expected one of: a, b, both)"},
	{"unknown handler", "resource r0 {\n  handlers { splitbrain x; }\n}\n",
	 "t.conf:2:14: unknown keyword 'splitbrain' in 'handlers' of resource "
	 "r0 (expected one of: pri-on-incon-degr, pri-lost-after-sb, "
	 "pri-lost, fence-peer, local-io-error, initial-split-brain, "
	 "split-brain, before-resync-target, after-resync-target, "
	 "out-of-sync)"},
	{"empty handler command",
	 "resource r0 {\n  handlers { split-brain \"\"; }\n}\n",
	 "t.conf:2:26: value for 'split-brain' is 0 bytes long (expected a "
	 "shell command of 1..4096 bytes)"},
	{"duplicate handler",
	 "resource r0 {\n  handlers { pri-lost a;\n    pri-lost b; }\n}\n",
	 "t.conf:3:5: duplicate 'pri-lost' in 'handlers' of resource r0 "
	 "(first given at line 2)"},
};

const BadConfig kStructureErrors[] = {
	{"c-min-rate above c-max-rate",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n"
	 "  disk { c-max-rate 1M;\n    c-min-rate 4M; }\n" HOSTS "}\n",
	 "t.conf:4:5: 'c-min-rate' 4096 KiB/s is above 'c-max-rate' 1024 KiB/s "
	 "(expected c-min-rate <= c-max-rate)"},
	{"both hosts with one address",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n  on a { "
	 "address 10.0.0.1:7000; }\n  on b { address 10.0.0.1:7000; }\n}\n",
	 "t.conf:4:10: 'on b' has the address of 'on a' (line 3) in resource "
	 "r0 (expected each host its own address)"},
	{"a DRBD keyword rdbd does not take",
	 "resource r0 {\n  net { allow-two-primaries; }\n}\n",
	 "t.conf:2:9: unknown keyword 'allow-two-primaries' in 'net' of "
	 "resource r0: rdbd allows one Primary only (expected one of: "
	 "protocol, connect-int, ping-int, ping-timeout, timeout, "
	 "cram-hmac-alg, shared-secret, after-sb-0pri, after-sb-1pri, "
	 "after-sb-2pri, verify-alg)"},
	{"DRBD 8.3's syncer section",
	 "resource r0 {\n  syncer { rate 10M; }\n}\n",
	 "t.conf:2:3: unknown keyword 'syncer' in resource r0: DRBD 8.3's "
	 "section; its rate is resync-rate in disk { } since 8.4 (expected "
	 "one of: device, disk, meta-disk, net, startup, handlers, on)"},
	{"duplicate key",
	 "resource r0 {\n  disk /dev/vdb;\n  disk /dev/vdc;\n}\n",
	 "t.conf:3:3: duplicate 'disk' in resource r0 (first given at line "
	 "2)"},
	{"duplicate net section", "resource r0 {\n  net { }\n  net { }\n}\n",
	 "t.conf:3:3: duplicate 'net' in resource r0 (first given at line 2)"},
	{"duplicate key in net",
	 "resource r0 {\n  net { protocol A; protocol B; }\n}\n",
	 "t.conf:2:21: duplicate 'protocol' in 'net' of resource r0 (first "
	 "given at line 2)"},
	{"duplicate key in on",
	 "resource r0 {\n  on a {\n    address 10.0.0.1:1;\n    address "
	 "10.0.0.1:2;\n  }\n}\n",
	 "t.conf:4:5: duplicate 'address' in 'on a' of resource r0 (first "
	 "given at line 3)"},
	{"duplicate resource",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n" HOSTS
	 "}\nresource r0 {\n}\n",
	 "t.conf:6:10: duplicate resource r0 (first given at line 1)"},
	{"no on section",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n}\n",
	 "t.conf:1:1: resource r0 has no 'on' section (expected exactly 2, one "
	 "per node)"},
	{"one on section",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n  on a { "
	 "address 1.2.3.4:5; }\n}\n",
	 "t.conf:1:1: resource r0 has only one 'on' section (expected exactly "
	 "2, one per node)"},
	{"three on sections",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n" HOSTS
	 "  on c { address 10.0.0.3:7000; }\n}\n",
	 "t.conf:5:3: resource r0 has more than two 'on' sections (expected "
	 "exactly 2, one per node)"},
	{"the same host twice",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n  on a { "
	 "address 1.2.3.4:5; }\n  on a { address 1.2.3.5:5; }\n}\n",
	 "t.conf:4:6: duplicate 'on a' in resource r0 (first given at line "
	 "3)"},
	{"no device", "resource r0 {\n  disk /dev/vdb;\n" HOSTS "}\n",
	 "t.conf:3:3: no 'device' for host 'a' in resource r0 (expected "
	 "'device /dev/rdbdN;' in the resource or in 'on a')"},
	{"no disk for one host",
	 "resource r0 {\n  device /dev/rdbd0;\n  on a { disk /dev/vdb; "
	 "address 10.0.0.1:7000; }\n  on b { address 10.0.0.2:7000; }\n}\n",
	 "t.conf:4:3: no 'disk' for host 'b' in resource r0 (expected 'disk "
	 "/dev/DISK;' in the resource or in 'on b')"},
	{"no address",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n  on a { "
	 "address 1.2.3.4:5; }\n  on b { }\n}\n",
	 "t.conf:4:3: no 'address' in 'on b' of resource r0 (expected "
	 "'address IPv4:PORT or ipv6 [IPv6]:PORT;')"},
	{"two resources with one minor on a host",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n" HOSTS
	 "}\nresource r1 {\n  device /dev/rdbd0; disk /dev/vdc;\n  on a { "
	 "address 10.0.0.1:7001; }\n  on b { address 10.0.0.2:7001; }\n}\n",
	 "t.conf:7:3: minor 0 on host 'a' is claimed by both resource r0 "
	 "(line 2) and resource r1 (expected one resource per device and "
	 "host)"},
	{"two resources with one disk on a host",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n" HOSTS
	 "}\nresource r1 {\n  device /dev/rdbd1;\n  on a { disk /dev/vdc; "
	 "address 10.0.0.1:7001; }\n  on b { disk /dev/vdb; address "
	 "10.0.0.2:7001; }\n}\n",
	 "t.conf:9:10: disk /dev/vdb on host 'b' is claimed by both resource "
	 "r0 (line 2) and resource r1 (expected one resource per disk and "
	 "host)"},
	{"two resources with one address on a host",
	 "resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n" HOSTS
	 "}\nresource r1 {\n  device /dev/rdbd1; disk /dev/vdc;\n  on a { "
	 "address 10.0.0.1:7000; }\n  on b { address 10.0.0.2:7001; }\n}\n",
	 "t.conf:8:10: address 10.0.0.1:7000 on host 'a' is claimed by both "
	 "resource r0 (line 3) and resource r1 (expected one resource per "
	 "address and host)"},
};

void check_all(const BadConfig *begin, const BadConfig *end)
{
	for (const BadConfig *c = begin; c != end; ++c) {
		DYNAMIC_SECTION(c->what)
		{
			CHECK(config_error(c->text) == c->error);
		}
	}
}

} // namespace

TEST_CASE("syntax errors", "[config][errors]")
{
	check_all(std::begin(kSyntaxErrors), std::end(kSyntaxErrors));
}

TEST_CASE("bad values", "[config][errors]")
{
	check_all(std::begin(kValueErrors), std::end(kValueErrors));
}

TEST_CASE("bad disk, startup, handlers and split-brain options",
	  "[config][errors]")
{
	check_all(std::begin(kOptionErrors), std::end(kOptionErrors));
}

TEST_CASE("missing, duplicate and colliding settings", "[config][errors]")
{
	check_all(std::begin(kStructureErrors), std::end(kStructureErrors));
}

TEST_CASE("an unreadable file is a configuration error", "[config][errors]")
{
	REQUIRE_THROWS_WITH(rdbd::load_config("/nonexistent/rdbd.conf"),
			    "cannot read configuration file "
			    "/nonexistent/rdbd.conf: No such file or "
			    "directory");
	REQUIRE_THROWS_WITH(rdbd::load_config("/"),
			    "cannot read configuration file /: Is a "
			    "directory");
}
