/*
 * The wasm side of src/engine/wasm-zlib.ts: one level-9 deflate state and one inflate state
 * for the module's life, each reset before every stream, as git's block writer and reader
 * do with their z_streams. Built with zlib by scripts/build-zlib-wasm.sh (Z_SOLO: no libc, so
 * this file hands zlib its memory).
 */
#include "zlib.h"

/*
 * deflateInit allocates everything once (state, 64 KiB window, prev and head chains, pending
 * buffer: about 262 KiB at memLevel 8), inflate its state and 32 KiB window on first use
 * (about 40 KiB), and nothing is freed until the instance goes, so a fixed arena with a bump
 * pointer is a complete allocator.
 */
static unsigned char arena[352 * 1024] __attribute__((aligned(16)));
static unsigned long arena_used;
static z_stream strm;
static z_stream istrm;
static int istrm_ready;

static voidpf arena_alloc(voidpf opaque, uInt items, uInt size) {
  unsigned long n = ((unsigned long)items * size + 15) & ~15UL;
  (void)opaque;
  if (n > sizeof arena - arena_used) return Z_NULL;
  voidpf p = arena + arena_used;
  arena_used += n;
  return p;
}

static void arena_free(voidpf opaque, voidpf p) {
  (void)opaque;
  (void)p;
}

/* deflateInit(level 9): 32 KiB window, memLevel 8, zlib wrapper — what git asks for. */
int rt_init(void) {
  strm.zalloc = arena_alloc;
  strm.zfree = arena_free;
  strm.opaque = Z_NULL;
  return deflateInit(&strm, 9);
}

/* Output room that always holds one Z_FINISH stream of n input bytes. */
unsigned long rt_bound(unsigned long n) { return deflateBound(&strm, n); }

/* One complete stream of in[0..n) into out[0..cap): its length, or a negative status. */
long rt_deflate(const unsigned char *in, unsigned long n, unsigned char *out, unsigned long cap) {
  int status = deflateReset(&strm);
  if (status != Z_OK) return status < 0 ? status : -100;
  strm.next_in = (z_const Bytef *)in;
  strm.avail_in = n;
  strm.next_out = out;
  strm.avail_out = cap;
  status = deflate(&strm, Z_FINISH);
  if (status != Z_STREAM_END) return status < 0 ? status : -101;
  return (long)(cap - strm.avail_out);
}

/*
 * Inflate one zlib stream from in[0..n) into exactly out[0..want): zlib's status (Z_STREAM_END
 * when the stream ended), or -100 when the state could not be set up. What is left of input
 * and output afterwards: rt_inflate_in_left, rt_inflate_out_left; zlib's message: rt_inflate_msg.
 */
long rt_inflate(const unsigned char *in, unsigned long n, unsigned char *out, unsigned long want) {
  int status;
  if (!istrm_ready) {
    istrm.zalloc = arena_alloc;
    istrm.zfree = arena_free;
    istrm.opaque = Z_NULL;
    istrm.next_in = Z_NULL;
    istrm.avail_in = 0;
    status = inflateInit(&istrm);
    if (status != Z_OK) return -100;
    istrm_ready = 1;
  } else {
    status = inflateReset(&istrm);
    if (status != Z_OK) return -100;
  }
  istrm.next_in = (z_const Bytef *)in;
  istrm.avail_in = n;
  istrm.next_out = out;
  istrm.avail_out = want;
  return inflate(&istrm, Z_FINISH);
}

unsigned long rt_inflate_in_left(void) { return istrm.avail_in; }
unsigned long rt_inflate_out_left(void) { return istrm.avail_out; }
const char *rt_inflate_msg(void) { return istrm.msg ? istrm.msg : ""; }

/* zlib's version string (NUL-terminated), so the host can check what it loaded. */
const char *rt_version(void) { return zlibVersion(); }

/* First byte past static data: the host keeps its input and output buffers from here on. */
extern unsigned char __heap_base;
unsigned long rt_heap_base(void) { return (unsigned long)&__heap_base; }
