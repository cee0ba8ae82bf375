; effnetc's AVX-512 math library: swish for the AVX-512 kernels, as LLVM IR that
; codegen/math/math_library.cpp links into each AVX-512 kernel's Halide Module (Halide 14 cannot
; emit vreduceps or vscalefps itself). Halide calls `effnetc_swish_avx512` with a vector of N lanes
; through the function named `effnetc_swish_avx512xN` (its naming rule for vector externs: wider
; vectors are split into 16s, 4 lanes padded to 8, 2 lanes run lane by lane through the scalar
; version), and `effnetc_swish_prescaled_avx512` likewise. All are inlined into the kernel;
; @llvm.used keeps a local, unused copy of each in the object, since Halide links this module in
; before the kernel calls them.
;
; swish(v) = v / (1 + 2^z), z = max(-v log2(e), -126). 2^z = p(f) 2^floor(z): vreduceps gives
; f = z - floor(z) in [0, 1), p is a degree-4 fit of 2^f on [0, 1] (relative error 2.7e-6 in
; float; numpy least squares reweighted toward minimax), and vscalefps multiplies by
; 2^floor(z) without the clamp and integer shift the portable version needs (z >= 128 gives
; inf, so v / inf = -0, as swish is to float precision; v = -inf alone gives NaN, the portable
; version -inf). The clamp at -126 keeps 2^z normal for v > 87, where swish(v) = v. 9 vector ops
; and a division; the portable one has 13 and a division (math_library.cpp).
;
; effnetc_swish_prescaled_avx512 is swish(y / k) for k = ir::kSwishPrescale = -log2(e) 2^23, the
; output of a conv whose weights prescale_swish multiplied by k (one weight blob serves a multi-ISA
; archive's AVX-512 kernels and its AVX2 ones, whose portable swish saves a multiply on it): z = y
; 2^-23 and y / (k + k 2^z), k 2^z = (k p(f)) 2^floor(z) with k folded into p's coefficients: the
; plain version's ops and latency. k 2^z overflows to -inf for v < -72.4 and gives -0 where swish
; is above -2.6e-30.

; x86-64 data layout, as LLVM 14 gives Halide's x86-64 modules (linking warns on a mismatch).
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"

; swish(num / k), given nz = -(num / k) log2(e) before the clamp: both entries' body.
define internal <16 x float> @swish_core(<16 x float> %nz, <16 x float> %num, <16 x float> %k) #0 {
  %z = call <16 x float> @llvm.x86.avx512.max.ps.512(<16 x float> %nz, <16 x float> <float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000, float 0xC05F800000000000>, i32 4)
  ; imm 9: round down, exceptions suppressed
  %f = call <16 x float> @llvm.x86.avx512.mask.reduce.ps.512(<16 x float> %z, i32 9, <16 x float> zeroinitializer, i16 -1, i32 4)
  %c4 = fmul <16 x float> <float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000, float 0x3F8BB76860000000>, %k
  %c3 = fmul <16 x float> <float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000, float 0x3FAAA16FA0000000>, %k
  %p4 = call <16 x float> @llvm.fma.v16f32(<16 x float> %c4, <16 x float> %f, <16 x float> %c3)
  %c2 = fmul <16 x float> <float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000, float 0x3FCEE79160000000>, %k
  %p3 = call <16 x float> @llvm.fma.v16f32(<16 x float> %p4, <16 x float> %f, <16 x float> %c2)
  %c1 = fmul <16 x float> <float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000, float 0x3FE62D16C0000000>, %k
  %p2 = call <16 x float> @llvm.fma.v16f32(<16 x float> %p3, <16 x float> %f, <16 x float> %c1)
  %c0 = fmul <16 x float> <float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000, float 0x3FF00002C0000000>, %k
  %p = call <16 x float> @llvm.fma.v16f32(<16 x float> %p2, <16 x float> %f, <16 x float> %c0)
  %e = call <16 x float> @llvm.x86.avx512.mask.scalef.ps.512(<16 x float> %p, <16 x float> %z, <16 x float> zeroinitializer, i16 -1, i32 4)
  %d = fadd <16 x float> %e, %k
  %r = fdiv <16 x float> %num, %d
  ret <16 x float> %r
}

define internal <16 x float> @effnetc_swish_avx512x16(<16 x float> %v) #0 {
  %nz = fmul <16 x float> %v, <float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000, float 0xBFF7154760000000>
  %r = call <16 x float> @swish_core(<16 x float> %nz, <16 x float> %v, <16 x float> <float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000, float 0x3FF0000000000000>)
  ret <16 x float> %r
}

define internal <16 x float> @effnetc_swish_prescaled_avx512x16(<16 x float> %y) #0 {
  %nz = fmul <16 x float> %y, <float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000, float 0x3E80000000000000>
  %r = call <16 x float> @swish_core(<16 x float> %nz, <16 x float> %y, <16 x float> <float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000, float 0xC167154760000000>)
  ret <16 x float> %r
}

; Narrower vectors and scalars run the 16-lane version on a padded vector.
define internal <8 x float> @effnetc_swish_avx512x8(<8 x float> %v) #0 {
  %w = shufflevector <8 x float> %v, <8 x float> zeroinitializer, <16 x i32> <i32 0, i32 1, i32 2, i32 3, i32 4, i32 5, i32 6, i32 7, i32 8, i32 9, i32 10, i32 11, i32 12, i32 13, i32 14, i32 15>
  %s = call <16 x float> @effnetc_swish_avx512x16(<16 x float> %w)
  %r = shufflevector <16 x float> %s, <16 x float> undef, <8 x i32> <i32 0, i32 1, i32 2, i32 3, i32 4, i32 5, i32 6, i32 7>
  ret <8 x float> %r
}

define internal float @effnetc_swish_avx512(float %v) #0 {
  %w = insertelement <16 x float> zeroinitializer, float %v, i32 0
  %s = call <16 x float> @effnetc_swish_avx512x16(<16 x float> %w)
  %r = extractelement <16 x float> %s, i32 0
  ret float %r
}

define internal <8 x float> @effnetc_swish_prescaled_avx512x8(<8 x float> %v) #0 {
  %w = shufflevector <8 x float> %v, <8 x float> zeroinitializer, <16 x i32> <i32 0, i32 1, i32 2, i32 3, i32 4, i32 5, i32 6, i32 7, i32 8, i32 9, i32 10, i32 11, i32 12, i32 13, i32 14, i32 15>
  %s = call <16 x float> @effnetc_swish_prescaled_avx512x16(<16 x float> %w)
  %r = shufflevector <16 x float> %s, <16 x float> undef, <8 x i32> <i32 0, i32 1, i32 2, i32 3, i32 4, i32 5, i32 6, i32 7>
  ret <8 x float> %r
}

define internal float @effnetc_swish_prescaled_avx512(float %v) #0 {
  %w = insertelement <16 x float> zeroinitializer, float %v, i32 0
  %s = call <16 x float> @effnetc_swish_prescaled_avx512x16(<16 x float> %w)
  %r = extractelement <16 x float> %s, i32 0
  ret float %r
}

; Internal functions no one calls yet would be dropped when Halide links this module in.
@llvm.used = appending global [6 x i8*] [i8* bitcast (<16 x float> (<16 x float>)* @effnetc_swish_avx512x16 to i8*), i8* bitcast (<8 x float> (<8 x float>)* @effnetc_swish_avx512x8 to i8*), i8* bitcast (float (float)* @effnetc_swish_avx512 to i8*), i8* bitcast (<16 x float> (<16 x float>)* @effnetc_swish_prescaled_avx512x16 to i8*), i8* bitcast (<8 x float> (<8 x float>)* @effnetc_swish_prescaled_avx512x8 to i8*), i8* bitcast (float (float)* @effnetc_swish_prescaled_avx512 to i8*)], section "llvm.metadata"

declare <16 x float> @llvm.x86.avx512.max.ps.512(<16 x float>, <16 x float>, i32 immarg) #1
declare <16 x float> @llvm.x86.avx512.mask.reduce.ps.512(<16 x float>, i32 immarg, <16 x float>, i16, i32 immarg) #1
declare <16 x float> @llvm.x86.avx512.mask.scalef.ps.512(<16 x float>, <16 x float>, <16 x float>, i16, i32 immarg) #1
declare <16 x float> @llvm.fma.v16f32(<16 x float>, <16 x float>, <16 x float>) #1

attributes #0 = { alwaysinline nounwind readnone "min-legal-vector-width"="512" "target-features"="+avx512f,+avx512dq,+avx512vl,+fma" }
attributes #1 = { nounwind readnone }
