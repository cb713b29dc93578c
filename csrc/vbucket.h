/* Key -> CRC32 -> vBucket -> server index (docs/protocol.md section 6).
 *
 * The map itself is plain data owned by the connection: nvb rows of ncopies
 * server indices, row-major, -1 for "no server". cbc_vb_crc32 and
 * cbc_vb_key_to_vbucket are declared in cbc_api.h. */
#ifndef CBC_VBUCKET_H
#define CBC_VBUCKET_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int16_t *map;   /* nvb * ncopies entries, owned */
    size_t nvb;
    size_t ncopies;
} cbc_VBMAP;

/* Copy `map` into `vb` (replacing what it held). 0, or -1 when out of memory. */
int cbc__vb_set(cbc_VBMAP *vb, const int16_t *map, size_t nvb, size_t ncopies);
/* Server index of copy `copy` (0 active, N replica N) of the vBucket of `key`; -1 when
 * the map names no server. *vbucket receives the vBucket id. */
int cbc__vb_map_key(const cbc_VBMAP *vb, const char *key, size_t nkey, size_t copy,
                    uint16_t *vbucket);
void cbc__vb_free(cbc_VBMAP *vb);

#endif /* CBC_VBUCKET_H */
