// DEPTHWISE_CONV_2D's NEON microkernel (native_ukernels.h
// depthwise_i8_neon), bit-exact with the reference kernel's loop: for each
// output pixel and block of 16 channels, acc = sum over the taps inside the
// input of (x - input_zp) * w, then the reference's output stage
// (requantize_neon.h) on acc + bias. |x - input_zp| <= 255 and |w| <= 128
// fit int16, so SMLAL (int16 x int16 + int32, non-saturating) forms each
// product exactly and the int32 sums wrap modulo 2^32 like the reference's.
//
// It needs only baseline NEON, but lives in a *_neondot.cc file and is
// dispatched at Isa::kNeonDot so that "portable" stays the plain C++ path on
// every CPU (tests force it with OPSCOPE_NATIVE_ISA). The dot product does
// not fit here as it does in the GEMM: depthwise sums run over taps, not
// over contiguous channel bytes (the AVX-512 vpdpbusd path needs a
// tap-interleaved layout per phase for that; not done for NEON).
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/native/requantize_neon.h"

namespace opscope::native::ukernels {

void depthwise_i8_neon(const DepthwiseParams& p, const int8_t* input, int8_t* output) {
  const int64_t c = p.channels, cp = (c + 15) / 16 * 16;
  const int16x8_t zp = vdupq_n_s16(static_cast<int16_t>(p.input_zp));
  for (int64_t oy = 0; oy < p.out_h; ++oy) {
    for (int64_t ox = 0; ox < p.out_w; ++ox) {
      int8_t* y = output + (oy * p.out_w + ox) * c;
      for (int64_t c0 = 0; c0 < c; c0 += 16) {
        const int64_t nc = std::min<int64_t>(16, c - c0);
        int32x4_t acc[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
        for (int64_t ky = 0; ky < p.k_h; ++ky) {
          const int64_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
          if (iy < 0 || iy >= p.in_h) continue;
          for (int64_t kx = 0; kx < p.k_w; ++kx) {
            const int64_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
            if (ix < 0 || ix >= p.in_w) continue;
            const int8_t* x = input + (iy * p.in_w + ix) * c + c0;
            int8x16_t xv;
            if (nc == 16) {
              xv = vld1q_s8(x);
            } else {  // the pixel's last channels only (its row may end there)
              int8_t tmp[16] = {};
              std::memcpy(tmp, x, static_cast<size_t>(nc));
              xv = vld1q_s8(tmp);
            }
            const int16_t* w = p.weights16 + (ky * p.k_w + kx) * cp + c0;
            const int16x8_t w0 = vld1q_s16(w), w1 = vld1q_s16(w + 8);
            const int16x8_t lo = vsubq_s16(vmovl_s8(vget_low_s8(xv)), zp);
            const int16x8_t hi = vsubq_s16(vmovl_high_s8(xv), zp);
            acc[0] = vmlal_s16(acc[0], vget_low_s16(lo), vget_low_s16(w0));
            acc[1] = vmlal_high_s16(acc[1], lo, w0);
            acc[2] = vmlal_s16(acc[2], vget_low_s16(hi), vget_low_s16(w1));
            acc[3] = vmlal_high_s16(acc[3], hi, w1);
          }
        }
        int32x4_t out[4];
        for (int q = 0; q < 4; ++q) {
          const int64_t ch = c0 + 4 * q;
          const neon::Requant4 rq =
              neon::load_requant4(p.multiplier + ch, p.left_shift + ch, p.right_shift + ch);
          // acc + bias wraps modulo 2^32, as the reference's.
          out[q] = neon::requantize4(vaddq_s32(acc[q], vld1q_s32(p.bias + ch)), rq,
                                     p.any_left_shift, p.output_zp, p.act_min, p.act_max);
        }
        const int8x16_t bytes = neon::narrow16(out[0], out[1], out[2], out[3]);
        if (nc == 16) {
          vst1q_s8(y + c0, bytes);
        } else {
          int8_t tmp[16];
          vst1q_s8(tmp, bytes);
          std::memcpy(y + c0, tmp, static_cast<size_t>(nc));
        }
      }
    }
  }
}

}  // namespace opscope::native::ukernels
