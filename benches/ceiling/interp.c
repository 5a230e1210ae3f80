/* The ceiling of in-place interpretation on this machine: how fast can an interpreter
 * that runs the original WebAssembly bytes, one dispatch per instruction, go at best?
 *
 * The hot inner loop of benches/programs/matmul.c, as clang emits it (36 instructions
 * a pass, two multiply-adds), is held here as real wasm bytes inside an outer counting
 * loop and interpreted in place the fastest way portable C allows: computed goto with
 * a jump per handler, untyped 64-bit stack slots, LEB128 immediates decoded in place
 * with a one-byte fast path, bounds-checked memory, branch targets from a side table
 * built by a validation pass. It does only what this loop needs; it is a measuring
 * device, not an interpreter to extend. `run` (next to it) builds and times it.
 *
 * Variants: -DTOS=1 keeps the top of the stack in a register; -DFUSE=1 fuses
 * `i32.const; i32.add` by peeking at the next opcode; -DCOUNT counts dispatches to
 * check INSTR_PER_OUTER; -DDISPATCH_ONLY=1 drops the stack and memory work.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef TOS
#define TOS 0
#endif
#ifndef DISPATCH_ONLY
#define DISPATCH_ONLY 0
#endif
#ifndef FUSE
#define FUSE 0
#endif

#define MEMSIZE (1u << 20)
#define LOC_N 12

/* Function body (code only; locals: 11 x i32, local 11 f64). */
static const uint8_t code[] = {
  0x03, 0x40,                 /* loop (outer) */
  0x41, 0x00,                 /*  i32.const 0 */
  0x21, 0x00,                 /*  local.set 0 */
  0x03, 0x40,                 /*  loop (inner) @6 */
  0x20, 0x03, 0x20, 0x00, 0x6A, 0x22, 0x01, 0x20, 0x01, 0x2B, 0x03, 0x00,
  0x20, 0x0B, 0x20, 0x06, 0x20, 0x00, 0x6A, 0x22, 0x05, 0x2B, 0x03, 0x00,
  0xA2, 0xA0, 0x39, 0x03, 0x00,
  0x20, 0x01, 0x41, 0x08, 0x6A, 0x22, 0x01, 0x20, 0x01, 0x2B, 0x03, 0x00,
  0x20, 0x0B, 0x20, 0x05, 0x41, 0x08, 0x6A, 0x2B, 0x03, 0x00,
  0xA2, 0xA0, 0x39, 0x03, 0x00,
  0x20, 0x00, 0x41, 0x10, 0x6A, 0x22, 0x00, 0x41, 0x80, 0x04, 0x47, 0x0D, 0x00,
  0x0B,                       /*  end inner */
  0x20, 0x02, 0x41, 0x7F, 0x6A, 0x22, 0x02, 0x0D, 0x00, /* counter-- ; br_if outer */
  0x0B,                       /* end outer */
  0x0B                        /* end function */
};
/* executed wasm instructions: 1 + 1161*N + 2 */
#define INSTR_PER_OUTER 1161ull
#define INSTR_FIXED 3ull

/* Side table entry (Wizard-style), consumed sequentially via stp. */
typedef struct { int32_t pc_delta, valcount, popcount, stp_delta; } ste_t;
static ste_t side[16];

static uint32_t leb_u(const uint8_t **pp) {
  const uint8_t *p = *pp; uint32_t r = 0; int s = 0; uint8_t b;
  do { b = *p++; r |= (uint32_t)(b & 0x7f) << s; s += 7; } while (b & 0x80);
  *pp = p; return r;
}

/* Validation-time pass: build the side table for loops/br_if (only what this body uses). */
static void build_side_table(void) {
  const uint8_t *p = code, *end = code + sizeof code;
  struct { const uint8_t *body; int stp; int height; } ctl[16]; int nctl = 0;
  int nst = 0, h = 0;
  while (p < end) {
    const uint8_t *ip = p; uint8_t op = *p++;
    switch (op) {
      case 0x03: p++; ctl[nctl].body = p; ctl[nctl].stp = nst; ctl[nctl].height = h; nctl++; break;
      case 0x0B: if (nctl) nctl--; break;
      case 0x0D: { uint32_t l = leb_u(&p); h--;
        int t = nctl - 1 - (int)l;
        side[nst].pc_delta = (int32_t)(ctl[t].body - ip);
        side[nst].valcount = 0; /* loop with blocktype 0x40: no params */
        side[nst].popcount = h - ctl[t].height;
        side[nst].stp_delta = ctl[t].stp - nst;
        nst++; break; }
      case 0x20: leb_u(&p); h++; break;
      case 0x21: leb_u(&p); h--; break;
      case 0x22: leb_u(&p); break;
      case 0x41: leb_u(&p); h++; break;
      case 0x6A: case 0x47: case 0xA2: case 0xA0: h--; break;
      case 0x2B: leb_u(&p); leb_u(&p); break;
      case 0x39: leb_u(&p); leb_u(&p); h -= 2; break;
      default: fprintf(stderr, "bad op %02x\n", op); exit(1);
    }
  }
}

#ifdef COUNT
static uint64_t ndisp;
#define CNT ndisp++
#else
#define CNT (void)0
#endif

static inline double u2d(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static inline uint64_t d2u(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
/* dispatch: opcode at pc[n] (n = bytes of immediates already consumed in place) */
#define DISPATCH_AT(n) do { CNT; size_t _op = pc[n]; pc += (n) + 1; goto *tbl[_op]; } while (0)
#define NEXT DISPATCH_AT(0)
/* generic unsigned LEB128 slow path (pc at first byte) */
#define SLOW_U32(v) do { uint32_t _s = 0; uint8_t _b; v = 0; \
    do { _b = *pc++; v |= (size_t)(_b & 0x7f) << _s; _s += 7; } while (_b & 0x80); } while (0)
#define SLOW_S32(v) do { uint32_t _r = 0, _s = 0; uint8_t _b; \
    do { _b = *pc++; _r |= (uint32_t)(_b & 0x7f) << _s; _s += 7; } while (_b & 0x80); \
    if (_s < 32 && (_b & 0x40)) { _r |= ~0u << _s; } v = (int32_t)_r; } while (0)
/* handler with one u32 LEB immediate: one-byte fast path, decoded in place every time */
#define H_U32(i, BODY) { size_t i = pc[0]; \
    if (LIKELY(!(i & 0x80))) { BODY; DISPATCH_AT(1); } \
    else { SLOW_U32(i); BODY; NEXT; } }
/* handler with memarg (align, offset): one-byte fast path for both */
#define H_MEMARG(off, BODY) { size_t _al = pc[0], off = pc[1]; \
    if (LIKELY(!((_al | off) & 0x80))) { BODY; DISPATCH_AT(2); } \
    else { SLOW_U32(_al); SLOW_U32(off); (void)_al; BODY; NEXT; } }
#define H_S32(v, BODY) { int32_t v; uint32_t _b0 = pc[0]; \
    if (LIKELY(!(_b0 & 0x80))) { v = ((int32_t)(_b0 << 25)) >> 25; BODY; DISPATCH_AT(1); } \
    else { SLOW_S32(v); BODY; NEXT; } }
#define BOUNDS(ea) if (UNLIKELY((ea) > limit)) goto L_trap


__attribute__((noinline))
int run(uint64_t *frame, uint64_t *stack, uint8_t *mem, uint64_t memsize) {
  static const void *tbl[256];
  static int init;
  if (!init) {
    for (int i = 0; i < 256; i++) tbl[i] = &&L_trap;
    tbl[0x03] = &&L_loop; tbl[0x0B] = &&L_end; tbl[0x0D] = &&L_br_if;
    tbl[0x20] = &&L_local_get; tbl[0x21] = &&L_local_set; tbl[0x22] = &&L_local_tee;
    tbl[0x41] = &&L_i32_const; tbl[0x6A] = &&L_i32_add; tbl[0x47] = &&L_i32_ne;
    tbl[0x2B] = &&L_f64_load; tbl[0x39] = &&L_f64_store;
    tbl[0xA2] = &&L_f64_mul; tbl[0xA0] = &&L_f64_add;
    init = 1;
  }
  const uint8_t *pc = code;
  const uint8_t *const code_end = code + sizeof code;
  const ste_t *stp = side;
  uint64_t *fp = frame;
  uint64_t *sp = stack;
#if DISPATCH_ONLY
  uint32_t dk = 0; (void)sp; (void)mem;
#endif
  const uint64_t limit = memsize - 8; /* trap if ea > limit  <=>  ea + 8 > memsize */
  (void)limit;
#if TOS
  uint64_t tos = 0;                   /* logical top of stack; sp points past second-from-top */
#endif
  NEXT;

L_loop: { uint32_t bt = pc[0]; if (LIKELY(!(bt & 0x80))) DISPATCH_AT(1); while (*pc++ & 0x80) {} NEXT; }
L_end: { if (UNLIKELY(pc == code_end)) return 0; NEXT; }
L_br_if: {
#if DISPATCH_ONLY
  uint32_t c = (stp == side) ? (++dk & 31) != 0 : (uint32_t)--fp[2];
#elif TOS
  uint32_t c = (uint32_t)tos; tos = *--sp;
#else
  uint32_t c = (uint32_t)*--sp;
#endif
  if (c) {
    int32_t pd = stp->pc_delta, pop = stp->popcount, sd = stp->stp_delta;
    if (UNLIKELY(pop != 0)) {
      int32_t vc = stp->valcount;
#if TOS
      *sp++ = tos;
#endif
      memmove(sp - pop - vc, sp - vc, (size_t)vc * 8); sp -= pop;
#if TOS
      tos = *--sp;
#endif
    }
    pc += pd - 1; stp += sd; NEXT;
  } else {
    stp++;
    if (LIKELY(!(pc[0] & 0x80))) DISPATCH_AT(1);  /* skip label */
    while (*pc++ & 0x80) {}
    NEXT;
  }
}
#if DISPATCH_ONLY
  /* experiment: same dispatch/immediate decoding/branching, but no value-stack or memory work */
L_local_get: H_U32(i, { (void)i; })
L_local_set: H_U32(i, { (void)i; })
L_local_tee: H_U32(i, { (void)i; })
L_i32_const: H_S32(v, { (void)v; })
L_i32_add: NEXT;
L_i32_ne: NEXT;
L_f64_load: H_MEMARG(off, { (void)off; })
L_f64_store: H_MEMARG(off, { (void)off; })
L_f64_mul: NEXT;
L_f64_add: NEXT;
#elif TOS
L_local_get: H_U32(i, { *sp++ = tos; tos = fp[i]; })
L_local_set: H_U32(i, { fp[i] = tos; tos = *--sp; })
L_local_tee: H_U32(i, { fp[i] = tos; })
#if FUSE
L_i32_const: { uint32_t b0 = pc[0];
  if (LIKELY(!(b0 & 0x80))) { int32_t v = ((int32_t)(b0 << 25)) >> 25;
    if (pc[1] == 0x6A) { tos = (uint32_t)((uint32_t)tos + (uint32_t)v); DISPATCH_AT(2); }
    *sp++ = tos; tos = (uint32_t)v; DISPATCH_AT(1); }
  int32_t v; SLOW_S32(v);
  if (pc[0] == 0x6A) { tos = (uint32_t)((uint32_t)tos + (uint32_t)v); DISPATCH_AT(1); }
  *sp++ = tos; tos = (uint32_t)v; NEXT; }
#else
L_i32_const: H_S32(v, { *sp++ = tos; tos = (uint32_t)v; })
#endif
L_i32_add: { uint64_t a = *--sp; tos = (uint32_t)((uint32_t)a + (uint32_t)tos); NEXT; }
L_i32_ne: { uint64_t a = *--sp; tos = (uint32_t)a != (uint32_t)tos; NEXT; }
L_f64_load: H_MEMARG(off, { uint64_t ea = (uint64_t)(uint32_t)tos + off; BOUNDS(ea); memcpy(&tos, mem + ea, 8); })
L_f64_store: H_MEMARG(off, { uint64_t a = *--sp; uint64_t ea = (uint64_t)(uint32_t)a + off; BOUNDS(ea);
                             memcpy(mem + ea, &tos, 8); tos = *--sp; })
L_f64_mul: { uint64_t a = *--sp; tos = d2u(u2d(a) * u2d(tos)); NEXT; }
L_f64_add: { uint64_t a = *--sp; tos = d2u(u2d(a) + u2d(tos)); NEXT; }
#else
L_local_get: H_U32(i, { *sp++ = fp[i]; })
L_local_set: H_U32(i, { fp[i] = *--sp; })
L_local_tee: H_U32(i, { fp[i] = sp[-1]; })
#if FUSE
L_i32_const: { uint32_t b0 = pc[0];
  if (LIKELY(!(b0 & 0x80))) { int32_t v = ((int32_t)(b0 << 25)) >> 25;
    if (pc[1] == 0x6A) { sp[-1] = (uint32_t)((uint32_t)sp[-1] + (uint32_t)v); DISPATCH_AT(2); }
    *sp++ = (uint32_t)v; DISPATCH_AT(1); }
  int32_t v; SLOW_S32(v);
  if (pc[0] == 0x6A) { sp[-1] = (uint32_t)((uint32_t)sp[-1] + (uint32_t)v); DISPATCH_AT(1); }
  *sp++ = (uint32_t)v; NEXT; }
#else
L_i32_const: H_S32(v, { *sp++ = (uint32_t)v; })
#endif
L_i32_add: { sp--; sp[-1] = (uint32_t)((uint32_t)sp[-1] + (uint32_t)sp[0]); NEXT; }
L_i32_ne: { sp--; sp[-1] = (uint32_t)sp[-1] != (uint32_t)sp[0]; NEXT; }
L_f64_load: H_MEMARG(off, { uint64_t ea = (uint64_t)(uint32_t)sp[-1] + off; BOUNDS(ea); memcpy(&sp[-1], mem + ea, 8); })
L_f64_store: H_MEMARG(off, { sp -= 2; uint64_t ea = (uint64_t)(uint32_t)sp[0] + off; BOUNDS(ea); memcpy(mem + ea, &sp[1], 8); })
L_f64_mul: { sp--; sp[-1] = d2u(u2d(sp[-1]) * u2d(sp[0])); NEXT; }
L_f64_add: { sp--; sp[-1] = d2u(u2d(sp[-1]) + u2d(sp[0])); NEXT; }
#endif
L_trap:
  return -1;
}

static uint8_t *mem;
#define C_BASE 4096u
#define B_BASE 16384u
static const double SCALAR = 0.375;

static void init_mem(uint8_t *m) {
  memset(m, 0, MEMSIZE);
  for (int j = 0; j < 64; j++) {
    double c = (double)j * 0.5, b = 1.0 + (double)j / 64.0;
    memcpy(m + C_BASE + 8 * j, &c, 8); memcpy(m + B_BASE + 8 * j, &b, 8);
  }
}
static void init_frame(uint64_t *f, uint32_t n) {
  memset(f, 0, 64 * 8);
  f[2] = n; f[3] = C_BASE; f[6] = B_BASE; f[11] = d2u(SCALAR);
}
__attribute__((noinline)) static void plain_c(uint8_t *m, uint32_t n) {
  double *c = (double *)(m + C_BASE), *b = (double *)(m + B_BASE);
  volatile double s = SCALAR; double sc = s;
  do { for (int j = 0; j < 64; j += 2) { c[j] = c[j] + sc * b[j]; c[j + 1] = c[j + 1] + sc * b[j + 1]; } } while (--n);
}
static double sum(uint8_t *m) { double s = 0; for (uint32_t i = 0; i < MEMSIZE; i += 8) { double d; memcpy(&d, m + i, 8); s += d; } return s; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
  uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], 0, 10) : 1000000;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  int check = argc > 3 ? atoi(argv[3]) : 1;
  build_side_table();
  mem = aligned_alloc(4096, MEMSIZE);
  static uint64_t frame[64], stack[64];
  uint64_t instrs = INSTR_PER_OUTER * n + INSTR_FIXED;
  double res[64];
  for (int r = 0; r < reps; r++) {
    init_mem(mem); init_frame(frame, n);
    double t0 = now(); int rc = run(frame, stack, mem, MEMSIZE); double t1 = now();
    if (rc) { printf("trap\n"); return 1; }
    res[r] = (t1 - t0) * 1e9 / (double)instrs;
  }
  printf("TOS=%d FUSE=%d n=%u instrs=%llu sum=%.17g\n", TOS, FUSE, n, (unsigned long long)instrs, sum(mem));
#ifdef COUNT
  printf("dispatches=%llu (last run)\n", (unsigned long long)ndisp / (reps ? reps : 1));
#endif
  if (reps) {
    qsort(res, reps, sizeof res[0], cmpd);
    printf("ns/instr runs:"); for (int r = 0; r < reps; r++) printf(" %.4f", res[r]);
    printf("  median %.4f min %.4f\n", res[reps / 2], res[0]);
  }
  if (check) {
    uint8_t *m2 = aligned_alloc(4096, MEMSIZE); init_mem(m2);
    double t0 = now(); plain_c(m2, n); double t1 = now();
    printf("check vs plain C: %s (plain C %.4f ns per wasm-instr-equivalent)\n",
           memcmp(m2, mem, MEMSIZE) == 0 ? "IDENTICAL" : "MISMATCH", (t1 - t0) * 1e9 / (double)instrs);
  }
  return 0;
}
