/* MD5 message digest (RFC 1321), used only for the ketama continuum. */
#ifndef CBC_MD5_H
#define CBC_MD5_H

#include <stddef.h>
#include <stdint.h>

/* Digest of data[0..n) into out[16]. Pure; thread-safe. */
void cbc__md5(const void *data, size_t n, uint8_t out[16]);

#endif /* CBC_MD5_H */
