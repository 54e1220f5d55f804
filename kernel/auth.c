// SPDX-License-Identifier: GPL-2.0
/*
 * Peer authentication in the handshake (handshake.c runs it right after
 * HELLO, when both sides set RDBD_HELLO_F_AUTH): challenge and response
 * in both directions with HMAC-<cram-hmac-alg> of the shared secret,
 * then each side's verdict, so both refuse with the same reason.  The
 * digest binds the responder's node name as its HELLO carried it, so a
 * response reflected back to its maker is useless.
 *
 * A failure is -EPROTO: whoever can reach the port can fail it, and that
 * must not leave the node StandAlone (handshake.c).
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/random.h>

#include "handshake.h"

/* HMAC(secret, challenge || name) into @digest; returns its length. */
static int rdbd_auth_digest(struct crypto_shash *tfm, const u8 *challenge,
			    const char *name, u8 *digest)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	int err;

	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	if (!err)
		err = crypto_shash_update(desc, challenge,
					  RDBD_WIRE_CHALLENGE_LEN);
	if (!err)
		err = crypto_shash_update(desc, name, strlen(name));
	if (!err)
		err = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	return err ? err : crypto_shash_digestsize(tfm);
}

static int rdbd_auth_alloc(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	const struct rdbd_net_conf *conf = &conn->net_conf;
	char name[CRYPTO_MAX_ALG_NAME];
	struct crypto_shash *tfm;
	int err;

	snprintf(name, sizeof(name), "hmac(%s)", conf->hmac_alg);
	tfm = crypto_alloc_shash(name, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = crypto_shash_setkey(tfm, conf->secret, conf->secret_len);
	if (err || crypto_shash_digestsize(tfm) > RDBD_WIRE_DIGEST_MAX) {
		crypto_free_shash(tfm);
		return err ? err : -EINVAL;
	}
	conn->hmac = tfm;
	return 0;
}

void rdbd_auth_free(struct rdbd_device *dev)
{
	if (dev->conn.hmac)
		crypto_free_shash(dev->conn.hmac);
	dev->conn.hmac = NULL;
}

/* Our response to the peer's challenge, and the one we expect from it. */
static int rdbd_auth_respond(struct rdbd_device *dev, const u8 *mine,
			     const u8 *theirs, struct rdbd_p_auth_response *out,
			     u8 *expected)
{
	struct rdbd_connection *conn = &dev->conn;
	int len;

	len = rdbd_auth_digest(conn->hmac, theirs, conn->my_node, out->digest);
	if (len < 0)
		return len;
	out->digest_len = cpu_to_be32(len);
	len = rdbd_auth_digest(conn->hmac, mine, conn->peer_node, expected);
	return len;
}

static int rdbd_auth_exchange(struct rdbd_device *dev,
			      struct rdbd_packet *pkt, bool *peer_ok)
{
	struct rdbd_p_auth_challenge mine = {};
	struct rdbd_p_auth_response resp = {};
	u8 expected[RDBD_WIRE_DIGEST_MAX];
	unsigned long deadline = rdbd_hs_deadline(dev);
	int len, err;

	get_random_bytes(mine.challenge, sizeof(mine.challenge));
	err = rdbd_send_packet(dev, RDBD_P_AUTH_CHALLENGE, &mine,
			       sizeof(mine));
	if (!err)
		err = rdbd_recv_expect(dev, pkt, RDBD_P_AUTH_CHALLENGE,
				       deadline);
	if (err)
		return err;
	/* Our own challenge coming back is a reflection attempt. */
	if (!crypto_memneq(pkt->u.challenge.challenge, mine.challenge,
			   sizeof(mine.challenge)))
		return -EACCES;
	len = rdbd_auth_respond(dev, mine.challenge,
				pkt->u.challenge.challenge, &resp, expected);
	if (len < 0)
		return len;
	err = rdbd_send_packet(dev, RDBD_P_AUTH_RESPONSE, &resp, sizeof(resp));
	if (!err)
		err = rdbd_recv_expect(dev, pkt, RDBD_P_AUTH_RESPONSE,
				       deadline);
	if (err)
		return err;
	*peer_ok = be32_to_cpu(pkt->u.response.digest_len) == len &&
		   !crypto_memneq(pkt->u.response.digest, expected, len);
	memzero_explicit(expected, sizeof(expected));
	return 0;
}

/*
 * Challenge-response in both directions; then each side tells the other
 * its verdict, so both go StandAlone with the same reason.
 */
int rdbd_hs_auth(struct rdbd_device *dev, struct rdbd_packet *pkt)
{
	struct rdbd_p_auth_result result = {};
	bool peer_ok = false;
	int err;

	if (!dev->conn.net_conf.hmac_alg[0])
		return 0;
	err = rdbd_auth_alloc(dev);
	if (err) {
		rdbd_conn_error(dev, "cannot set up hmac(%s): %s",
				dev->conn.net_conf.hmac_alg,
				rdbd_strerror(err));
		return -EPERM;
	}
	err = rdbd_auth_exchange(dev, pkt, &peer_ok);
	rdbd_auth_free(dev);
	if (err && err != -EACCES)
		return err;
	result.accepted = cpu_to_be32(peer_ok);
	err = rdbd_send_packet(dev, RDBD_P_AUTH_RESULT, &result,
			       sizeof(result));
	if (!err && peer_ok)
		err = rdbd_recv_expect(dev, pkt, RDBD_P_AUTH_RESULT,
				       rdbd_hs_deadline(dev));
	if (err && peer_ok)
		return err;
	if (!peer_ok || !be32_to_cpu(pkt->u.result.accepted)) {
		rdbd_conn_error(dev, "authentication of peer failed%s",
				peer_ok ? " (the peer refused our response)" :
				"");
		return -EPROTO;
	}
	pr_info("rdbd%u: peer '%s' authenticated\n", dev->minor,
		dev->conn.peer_node);
	return 0;
}
