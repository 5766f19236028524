/* modelfile.c: saving a model to, and loading it from, one self-describing buffer
 * (docs/model-format.md). Loading checks everything before it allocates: size bounds, magic,
 * version, configuration limits, the exact expected length, the CRC-32, then each tensor's name
 * and shape. All integers are little-endian; tensors are float32 whatever `real` is.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define MAGIC "S2SATTN\x1a"
#define FORMAT_VERSION 1u
#define HEADER_BYTES (8 + 4 + S2S_CONFIG_WORDS * 4 + 4) /* magic, version, configuration, meta length */

static uint32_t crc_table[256];

static uint32_t crc32(const uint8_t *p, size_t n) {
  if (!crc_table[1])
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      crc_table[i] = c;
    }
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}
static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void put_f32(uint8_t *p, real x) {
  union { float f; uint32_t u; } v;
  v.f = (float)x;
  put_u32(p, v.u);
}
static real get_f32(const uint8_t *p) {
  union { float f; uint32_t u; } v;
  v.u = get_u32(p);
  return v.f;
}

/* Bytes of the tensor section for a model: per tensor name length, name, rows, cols, data. */
static size_t tensor_bytes(const s2s_model *m) {
  size_t n = 4; /* tensor count */
  for (int i = 0; i < m->ntensors; i++)
    n += 4 + strlen(m->tensors[i].name) + 8 + 4 * m->tensors[i].size;
  return n;
}

int s2s_save(s2s_model *m) {
  s2s_clear_error();
  if (!m) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no model");
  size_t len = HEADER_BYTES + m->meta_len + tensor_bytes(m) + 4;
  uint8_t *buf = malloc(len), *p = buf;
  if (!buf) return s2s_fail(S2S_ERR_NO_MEMORY, "out of memory saving the model (%zu bytes)", len);
  memcpy(p, MAGIC, 8), p += 8;
  put_u32(p, FORMAT_VERSION), p += 4;
  struct s2s_config cfg = m->cfg;
  for (int i = 0; i < S2S_CONFIG_WORDS; i++) put_u32(p, (uint32_t)*s2s_config_field(&cfg, i)), p += 4;
  put_u32(p, (uint32_t)m->meta_len), p += 4;
  if (m->meta_len) memcpy(p, m->meta, m->meta_len), p += m->meta_len;
  put_u32(p, (uint32_t)m->ntensors), p += 4;
  for (int i = 0; i < m->ntensors; i++) {
    const s2s_tensor *t = &m->tensors[i];
    size_t nl = strlen(t->name);
    put_u32(p, (uint32_t)nl), p += 4;
    memcpy(p, t->name, nl), p += nl;
    put_u32(p, (uint32_t)t->rows), p += 4;
    put_u32(p, (uint32_t)t->cols), p += 4;
    for (size_t k = 0; k < t->size; k++) put_f32(p, m->params[t->offset + k]), p += 4;
  }
  put_u32(p, crc32(buf, len - 4));
  free(m->saved);
  m->saved = buf;
  m->saved_len = len;
  return S2S_OK;
}

const uint8_t *s2s_saved_bytes(const s2s_model *m) { return m ? m->saved : NULL; }
size_t s2s_saved_length(const s2s_model *m) { return m ? m->saved_len : 0; }

/* Checks everything before it allocates the weights; every failure leaves through `fail`. */
s2s_model *s2s_load(const uint8_t *bytes, size_t len) {
  s2s_clear_error();
  s2s_model *m = NULL;
  if (!bytes || len == 0) {
    s2s_fail(S2S_ERR_BAD_FILE, "not a model file: it is empty");
    goto fail;
  }
  if (len > S2S_MAX_FILE) {
    s2s_fail(S2S_ERR_LIMIT, "the model file is %zu bytes, larger than the limit of %zu", len,
             (size_t)S2S_MAX_FILE);
    goto fail;
  }
  if (len < 8 || memcmp(bytes, MAGIC, 8)) {
    s2s_fail(S2S_ERR_BAD_FILE, "not a seq2seq-attention model file: the magic bytes are wrong");
    goto fail;
  }
  if (len < HEADER_BYTES) {
    s2s_fail(S2S_ERR_BAD_FILE, "the model file is truncated: %zu bytes, not even a full header (%d)",
             len, HEADER_BYTES);
    goto fail;
  }
  uint32_t version = get_u32(bytes + 8);
  if (version != FORMAT_VERSION) {
    s2s_fail(S2S_ERR_BAD_FILE, "unsupported model file version %u: this library reads version %u",
             version, FORMAT_VERSION);
    goto fail;
  }
  struct s2s_config cfg;
  for (int i = 0; i < S2S_CONFIG_WORDS; i++) {
    uint32_t word = get_u32(bytes + 12 + 4 * i);
    if (word > 0x7FFFFFFFu) {
      s2s_fail(S2S_ERR_BAD_FILE, "the model file's configuration word %d is out of range (%u)", i, word);
      goto fail;
    }
    *s2s_config_field(&cfg, i) = (int)word;
  }
  const uint8_t *p = bytes + 12 + 4 * S2S_CONFIG_WORDS;
  uint32_t meta_len = get_u32(p);
  p += 4;
  /* the layout the configuration implies (checking it), without allocating the weights yet */
  m = s2s_layout(&cfg);
  if (!m) {
    int rc = s2s_last_status();
    if (rc == S2S_ERR_NO_MEMORY) goto fail;
    char why[512];
    snprintf(why, sizeof why, "the model file's configuration is not valid: %s", s2s_last_error());
    s2s_fail(rc == S2S_ERR_LIMIT ? S2S_ERR_LIMIT : S2S_ERR_BAD_FILE, "%s", why);
    goto fail;
  }
  if (meta_len > S2S_MAX_META) {
    s2s_fail(S2S_ERR_LIMIT, "the model file's metadata is %u bytes, more than the limit of %zu",
             meta_len, (size_t)S2S_MAX_META);
    goto fail;
  }
  size_t expected = HEADER_BYTES + (size_t)meta_len + tensor_bytes(m) + 4;
  if (len != expected) {
    s2s_fail(S2S_ERR_BAD_FILE,
             len < expected ? "the model file is truncated: %zu bytes where its header implies %zu"
                            : "the model file has %zu bytes where its header implies %zu (extra bytes at the end)",
             len, expected);
    goto fail;
  }
  uint32_t want = get_u32(bytes + len - 4), got = crc32(bytes, len - 4);
  if (want != got) {
    s2s_fail(S2S_ERR_BAD_FILE,
             "the model file is corrupted: its checksum is %08x but its contents give %08x", want, got);
    goto fail;
  }
  /* only now: the file is as long as it claims */
  if (s2s_alloc_arrays(m) || s2s_set_meta(m, p, meta_len)) goto fail;
  p += meta_len;
  uint32_t nt = get_u32(p);
  p += 4;
  if (nt != (uint32_t)m->ntensors) {
    s2s_fail(S2S_ERR_BAD_FILE, "the model file has %u tensors where its configuration needs %d", nt,
             m->ntensors);
    goto fail;
  }
  for (int i = 0; i < m->ntensors; i++) {
    const s2s_tensor *t = &m->tensors[i];
    uint32_t nl = get_u32(p);
    if (nl != strlen(t->name) || memcmp(p + 4, t->name, nl)) {
      s2s_fail(S2S_ERR_BAD_FILE, "the model file's tensor %d is not '%s'", i, t->name);
      goto fail;
    }
    p += 4 + nl;
    uint32_t rows = get_u32(p), cols = get_u32(p + 4);
    p += 8;
    if (rows != (uint32_t)t->rows || cols != (uint32_t)t->cols) {
      s2s_fail(S2S_ERR_BAD_FILE, "the model file's tensor '%s' has shape [%u, %u], expected [%d, %d]",
               t->name, rows, cols, t->rows, t->cols);
      goto fail;
    }
    for (size_t k = 0; k < t->size; k++, p += 4) {
      real x = get_f32(p);
      if (!isfinite(x)) {
        s2s_fail(S2S_ERR_BAD_FILE, "the model file's tensor '%s' holds a value that is not finite",
                 t->name);
        goto fail;
      }
      m->params[t->offset + k] = x;
    }
  }
  return m;
fail:
  s2s_destroy(m);
  return NULL;
}
