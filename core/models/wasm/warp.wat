;; The bilinear warp of image-warp.ts in WASM SIMD. Source of warp-wasm.ts (regenerate with
;; `npx tsx core/models/wasm/build.ts`; a test fails when the two differ).
;;
;; The source coordinates, their edge clamps, the taps and the fractions are the f64 expressions of
;; image-warp.ts's general loop, so every pixel reads the same four source pixels; only the blend is
;; f32: one v128 per tap holds R, G, B (and a zero lane), so the 12 multiply-adds of a pixel are 3
;; vector lerps. warp-simd.ts copies the source rectangle the warp reads into this memory with a ring
;; of `fill` pixels around it (one before, two after, in each direction), and the coordinates are
;; clamped into that ring: every tap outside the frame reads `fill`, with no branch per pixel.
;; Two pixels per iteration: their coordinates are one f64x2 each, their addresses one i32x4. Rows
;; wholly inside the frame (most of a face crop's) skip the clamps: with them on every row, the
;; kernel took 9.5 instead of 5.5 ns per pixel of a rotated crop.

(module
  (memory (export "memory") 64)

  ;; For output rows v0 <= v < v1 and columns u < outW, the source point is
  ;;   x = xu[u] + m1 (v + 0.5) + m2 - 0.5,  y = yu[u] + m4 (v + 0.5) + m5 - 0.5
  ;; (xu, yu: f64 tables of m0 (u + 0.5), m3 (u + 0.5), with one finite entry more for an odd
  ;; outW), and pixel (x, y) of the frame is at byte base + y stride + 3 x. mode 0 writes RGB f32,
  ;; 1 gray f32 (0.2989 R + 0.587 G + 0.114 B), 2 RGB bytes, each as value * scale + bias (bytes
  ;; truncated, saturating).
  (func (export "warp")
    (param $xu i32) (param $yu i32) (param $outW i32) (param $v0 i32) (param $v1 i32)
    (param $m1 f64) (param $m2 f64) (param $m4 f64) (param $m5 f64) (param $W f64) (param $H f64)
    (param $xlo f64) (param $xhi f64) (param $ylo f64) (param $yhi f64)
    (param $base i32) (param $stride i32) (param $out i32) (param $mode i32) (param $scale f32) (param $bias f32)
    (local $v i32) (local $u i32) (local $cv f64) (local $a i32) (local $inside i32) (local $e0 f64) (local $e1 f64)
    (local $xv v128) (local $yv v128) (local $x v128) (local $y v128) (local $x0 v128) (local $y0 v128)
    (local $fx v128) (local $fy v128) (local $addr v128) (local $f v128) (local $g v128)
    (local $r0 v128) (local $r1 v128) (local $top v128) (local $val0 v128) (local $val1 v128) (local $t v128)
    (local $lo v128) (local $hi v128) (local $sc v128) (local $bi v128) (local $gw v128) (local $half v128) (local $mhalf v128)
    (local $zero v128) (local $wm1 v128) (local $wmh v128) (local $hm1 v128) (local $hmh v128)
    (local $xlov v128) (local $xhiv v128) (local $ylov v128) (local $yhiv v128) (local $m2v v128) (local $m5v v128)
    (local $basev v128) (local $stridev v128) (local $three v128)
    ;; byte i of a tap's 8 bytes -> lane i32: taps (x0, y) are bytes 0-2, (x0 + 1, y) bytes 3-5
    (local.set $lo (v128.const i8x16 0 255 255 255 1 255 255 255 2 255 255 255 255 255 255 255))
    (local.set $hi (v128.const i8x16 3 255 255 255 4 255 255 255 5 255 255 255 255 255 255 255))
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $bi (f32x4.splat (local.get $bias)))
    (local.set $gw (v128.const f32x4 0.2989 0.587 0.114 0))
    (local.set $half (f64x2.splat (f64.const 0.5)))
    (local.set $mhalf (f64x2.splat (f64.const -0.5)))
    (local.set $zero (f64x2.splat (f64.const 0)))
    (local.set $wm1 (f64x2.splat (f64.sub (local.get $W) (f64.const 1))))
    (local.set $wmh (f64x2.splat (f64.sub (local.get $W) (f64.const 0.5))))
    (local.set $hm1 (f64x2.splat (f64.sub (local.get $H) (f64.const 1))))
    (local.set $hmh (f64x2.splat (f64.sub (local.get $H) (f64.const 0.5))))
    (local.set $xlov (f64x2.splat (local.get $xlo)))
    (local.set $xhiv (f64x2.splat (local.get $xhi)))
    (local.set $ylov (f64x2.splat (local.get $ylo)))
    (local.set $yhiv (f64x2.splat (local.get $yhi)))
    (local.set $m2v (f64x2.splat (local.get $m2)))
    (local.set $m5v (f64x2.splat (local.get $m5)))
    (local.set $basev (i32x4.splat (local.get $base)))
    (local.set $stridev (i32x4.splat (local.get $stride)))
    (local.set $three (i32x4.splat (i32.const 3)))
    (local.set $v (local.get $v0))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_s (local.get $v) (local.get $v1)))
        (local.set $cv (f64.add (f64.convert_i32_s (local.get $v)) (f64.const 0.5)))
        (local.set $xv (f64x2.splat (f64.mul (local.get $m1) (local.get $cv))))
        (local.set $yv (f64x2.splat (f64.mul (local.get $m4) (local.get $cv))))
        ;; whether every point of the row is in [0, W - 1) x [0, H - 1): x and y are monotonic in u,
        ;; so the points of columns 0 and outW (the tables' last entry) bound them
        (local.set $inside (i32.const 1))
        (local.set $e0 (f64.sub (f64.add (f64.add (f64.load (local.get $xu)) (f64x2.extract_lane 0 (local.get $xv))) (local.get $m2)) (f64.const 0.5)))
        (local.set $e1 (f64.sub (f64.add (f64.add (f64.load (i32.add (local.get $xu) (i32.shl (local.get $outW) (i32.const 3))))
          (f64x2.extract_lane 0 (local.get $xv))) (local.get $m2)) (f64.const 0.5)))
        (if (i32.or (f64.lt (f64.min (local.get $e0) (local.get $e1)) (f64.const 0))
            (f64.ge (f64.max (local.get $e0) (local.get $e1)) (f64.sub (local.get $W) (f64.const 1))))
          (then (local.set $inside (i32.const 0))))
        (local.set $e0 (f64.sub (f64.add (f64.add (f64.load (local.get $yu)) (f64x2.extract_lane 0 (local.get $yv))) (local.get $m5)) (f64.const 0.5)))
        (local.set $e1 (f64.sub (f64.add (f64.add (f64.load (i32.add (local.get $yu) (i32.shl (local.get $outW) (i32.const 3))))
          (f64x2.extract_lane 0 (local.get $yv))) (local.get $m5)) (f64.const 0.5)))
        (if (i32.or (f64.lt (f64.min (local.get $e0) (local.get $e1)) (f64.const 0))
            (f64.ge (f64.max (local.get $e0) (local.get $e1)) (f64.sub (local.get $H) (f64.const 1))))
          (then (local.set $inside (i32.const 0))))
        (local.set $u (i32.const 0))
        ;; two pixels per iteration (f64x2); an odd last one writes one pixel more, which the next
        ;; row overwrites (the caller leaves room after the last row)
        (block $colsDone
          (loop $col
            (br_if $colsDone (i32.ge_s (local.get $u) (local.get $outW)))
            (local.set $x (f64x2.sub (f64x2.add (f64x2.add (v128.load (i32.add (local.get $xu) (i32.shl (local.get $u) (i32.const 3))))
              (local.get $xv)) (local.get $m2v)) (local.get $half)))
            (local.set $y (f64x2.sub (f64x2.add (f64x2.add (v128.load (i32.add (local.get $yu) (i32.shl (local.get $u) (i32.const 3))))
              (local.get $yv)) (local.get $m5v)) (local.get $half)))
            ;; rows wholly inside the frame need no clamp
            (if (i32.eqz (local.get $inside))
              (then
                ;; the outer half pixel reads the edge pixel: [-0.5, 0) -> 0, (W - 1, W - 0.5] -> W - 1
                (local.set $x (v128.bitselect (f64x2.pmax (local.get $x) (local.get $zero)) (local.get $x) (f64x2.ge (local.get $x) (local.get $mhalf))))
                (local.set $x (v128.bitselect (f64x2.pmin (local.get $x) (local.get $wm1)) (local.get $x) (f64x2.le (local.get $x) (local.get $wmh))))
                (local.set $y (v128.bitselect (f64x2.pmax (local.get $y) (local.get $zero)) (local.get $y) (f64x2.ge (local.get $y) (local.get $mhalf))))
                (local.set $y (v128.bitselect (f64x2.pmin (local.get $y) (local.get $hm1)) (local.get $y) (f64x2.le (local.get $y) (local.get $hmh))))
                ;; into the ring: a point further out lands on a ring pixel with fraction 0, reading fill
                (local.set $x (f64x2.pmin (f64x2.pmax (local.get $x) (local.get $xlov)) (local.get $xhiv)))
                (local.set $y (f64x2.pmin (f64x2.pmax (local.get $y) (local.get $ylov)) (local.get $yhiv)))))
            (local.set $x0 (f64x2.floor (local.get $x)))
            (local.set $y0 (f64x2.floor (local.get $y)))
            (local.set $fx (f32x4.demote_f64x2_zero (f64x2.sub (local.get $x) (local.get $x0))))
            (local.set $fy (f32x4.demote_f64x2_zero (f64x2.sub (local.get $y) (local.get $y0))))
            (local.set $addr (i32x4.add (local.get $basev) (i32x4.add
              (i32x4.mul (i32x4.trunc_sat_f64x2_s_zero (local.get $y0)) (local.get $stridev))
              (i32x4.mul (i32x4.trunc_sat_f64x2_s_zero (local.get $x0)) (local.get $three)))))
            ;; pixel 0
            (local.set $a (i32x4.extract_lane 0 (local.get $addr)))
            (local.set $f (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $fx) (local.get $fx)))
            (local.set $g (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $fy) (local.get $fy)))
            (local.set $r0 (v128.load64_zero (local.get $a)))
            (local.set $r1 (v128.load64_zero (i32.add (local.get $a) (local.get $stride))))
            (local.set $top (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $r0) (local.get $lo))))
            (local.set $top (f32x4.add (local.get $top) (f32x4.mul (f32x4.sub
              (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $r0) (local.get $hi))) (local.get $top)) (local.get $f))))
            (local.set $t (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $r1) (local.get $lo))))
            (local.set $t (f32x4.add (local.get $t) (f32x4.mul (f32x4.sub
              (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $r1) (local.get $hi))) (local.get $t)) (local.get $f))))
            (local.set $val0 (f32x4.add (local.get $top) (f32x4.mul (f32x4.sub (local.get $t) (local.get $top)) (local.get $g))))
            ;; pixel 1
            (local.set $a (i32x4.extract_lane 1 (local.get $addr)))
            (local.set $f (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $fx) (local.get $fx)))
            (local.set $g (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $fy) (local.get $fy)))
            (local.set $r0 (v128.load64_zero (local.get $a)))
            (local.set $r1 (v128.load64_zero (i32.add (local.get $a) (local.get $stride))))
            (local.set $top (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $r0) (local.get $lo))))
            (local.set $top (f32x4.add (local.get $top) (f32x4.mul (f32x4.sub
              (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $r0) (local.get $hi))) (local.get $top)) (local.get $f))))
            (local.set $t (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $r1) (local.get $lo))))
            (local.set $t (f32x4.add (local.get $t) (f32x4.mul (f32x4.sub
              (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $r1) (local.get $hi))) (local.get $t)) (local.get $f))))
            (local.set $val1 (f32x4.add (local.get $top) (f32x4.mul (f32x4.sub (local.get $t) (local.get $top)) (local.get $g))))
            (if (i32.eqz (local.get $mode))
              (then
                ;; 16 bytes written, 12 kept: the next pixel overwrites the fourth lane
                (v128.store (local.get $out) (f32x4.add (f32x4.mul (local.get $val0) (local.get $sc)) (local.get $bi)))
                (v128.store offset=12 (local.get $out) (f32x4.add (f32x4.mul (local.get $val1) (local.get $sc)) (local.get $bi)))
                (local.set $out (i32.add (local.get $out) (i32.const 24))))
              (else
                (if (i32.eq (local.get $mode) (i32.const 1))
                  (then
                    (local.set $t (f32x4.mul (local.get $val0) (local.get $gw)))
                    (f32.store (local.get $out) (f32.add (f32.mul (f32.add (f32.add
                      (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t))) (f32x4.extract_lane 2 (local.get $t)))
                      (local.get $scale)) (local.get $bias)))
                    (local.set $t (f32x4.mul (local.get $val1) (local.get $gw)))
                    (f32.store offset=4 (local.get $out) (f32.add (f32.mul (f32.add (f32.add
                      (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t))) (f32x4.extract_lane 2 (local.get $t)))
                      (local.get $scale)) (local.get $bias)))
                    (local.set $out (i32.add (local.get $out) (i32.const 8))))
                  (else
                    ;; bytes: truncated toward zero, saturated to 0..255 by the two narrowings
                    (local.set $t (i32x4.trunc_sat_f32x4_s (f32x4.add (f32x4.mul (local.get $val0) (local.get $sc)) (local.get $bi))))
                    (local.set $t (i16x8.narrow_i32x4_u (local.get $t) (local.get $t)))
                    (v128.store32_lane 0 (local.get $out) (i8x16.narrow_i16x8_u (local.get $t) (local.get $t)))
                    (local.set $t (i32x4.trunc_sat_f32x4_s (f32x4.add (f32x4.mul (local.get $val1) (local.get $sc)) (local.get $bi))))
                    (local.set $t (i16x8.narrow_i32x4_u (local.get $t) (local.get $t)))
                    (v128.store32_lane offset=3 0 (local.get $out) (i8x16.narrow_i16x8_u (local.get $t) (local.get $t)))
                    (local.set $out (i32.add (local.get $out) (i32.const 6)))))))
            (local.set $u (i32.add (local.get $u) (i32.const 2)))
            (br $col)))
        ;; an odd row width wrote one pixel too many: step back over it
        (if (i32.and (local.get $outW) (i32.const 1))
          (then (local.set $out (i32.sub (local.get $out)
            (select (i32.const 12) (select (i32.const 4) (i32.const 3) (i32.eq (local.get $mode) (i32.const 1))) (i32.eqz (local.get $mode)))))))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br $row))))
  ;; The axis-aligned warp (no rotation, no shear): the taps of each column and row come from
  ;; image-warp.ts's taps() as tables, so a pixel costs its four loads and three lerps. Entry u of
  ;; `cols` is (x0 byte offset, x1 byte offset, fx): column u reads those bytes of its two rows at
  ;; fraction fx; entry v of `rows` is (row y0 byte address, row y1 byte address, fy). i32, i32, f32.
  (func (export "warp_axes")
    (param $cols i32) (param $rows i32) (param $outW i32) (param $v0 i32) (param $v1 i32)
    (param $out i32) (param $mode i32) (param $scale f32) (param $bias f32)
    (local $v i32) (local $u i32) (local $p i32) (local $c i32) (local $c1 i32) (local $r0 i32) (local $r1 i32)
    (local $f v128) (local $g v128) (local $top v128) (local $val v128) (local $t v128)
    (local $sc v128) (local $bi v128) (local $gw v128)
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $bi (f32x4.splat (local.get $bias)))
    (local.set $gw (v128.const f32x4 0.2989 0.587 0.114 0))
    (local.set $v (local.get $v0))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_s (local.get $v) (local.get $v1)))
        (local.set $r0 (i32.load (i32.add (local.get $rows) (i32.mul (local.get $v) (i32.const 12)))))
        (local.set $r1 (i32.load offset=4 (i32.add (local.get $rows) (i32.mul (local.get $v) (i32.const 12)))))
        (local.set $g (v128.load32_splat offset=8 (i32.add (local.get $rows) (i32.mul (local.get $v) (i32.const 12)))))
        (local.set $u (i32.const 0))
        (local.set $p (local.get $cols))
        (block $colsDone
          (loop $col
            (br_if $colsDone (i32.ge_s (local.get $u) (local.get $outW)))
            (local.set $c (i32.load (local.get $p)))
            (local.set $c1 (i32.load offset=4 (local.get $p)))
            (local.set $f (v128.load32_splat offset=8 (local.get $p)))
            (local.set $top (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
              (v128.load32_zero (i32.add (local.get $r0) (local.get $c)))))))
            (local.set $top (f32x4.add (local.get $top) (f32x4.mul (f32x4.sub (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u
              (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $r0) (local.get $c1)))))) (local.get $top)) (local.get $f))))
            (local.set $t (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
              (v128.load32_zero (i32.add (local.get $r1) (local.get $c)))))))
            (local.set $t (f32x4.add (local.get $t) (f32x4.mul (f32x4.sub (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u
              (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $r1) (local.get $c1)))))) (local.get $t)) (local.get $f))))
            (local.set $val (f32x4.add (local.get $top) (f32x4.mul (f32x4.sub (local.get $t) (local.get $top)) (local.get $g))))
            (if (i32.eqz (local.get $mode))
              (then
                (v128.store (local.get $out) (f32x4.add (f32x4.mul (local.get $val) (local.get $sc)) (local.get $bi)))
                (local.set $out (i32.add (local.get $out) (i32.const 12))))
              (else
                (if (i32.eq (local.get $mode) (i32.const 1))
                  (then
                    (local.set $t (f32x4.mul (local.get $val) (local.get $gw)))
                    (f32.store (local.get $out) (f32.add (f32.mul (f32.add (f32.add
                      (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t))) (f32x4.extract_lane 2 (local.get $t)))
                      (local.get $scale)) (local.get $bias)))
                    (local.set $out (i32.add (local.get $out) (i32.const 4))))
                  (else
                    (local.set $t (i32x4.trunc_sat_f32x4_s (f32x4.add (f32x4.mul (local.get $val) (local.get $sc)) (local.get $bi))))
                    (local.set $t (i16x8.narrow_i32x4_u (local.get $t) (local.get $t)))
                    (v128.store32_lane 0 (local.get $out) (i8x16.narrow_i16x8_u (local.get $t) (local.get $t)))
                    (local.set $out (i32.add (local.get $out) (i32.const 3)))))))
            (local.set $u (i32.add (local.get $u) (i32.const 1)))
            (local.set $p (i32.add (local.get $p) (i32.const 12)))
            (br $col)))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br $row))))

  ;; Copies `rows` rows of `span` bytes from `from` (rows `fromStride` apart) to `to` (rows `toStride`
  ;; apart), with the ring's `fill` bytes on both sides of each (3 before, 6 after; the stores reach a
  ;; byte or two further, into ring bytes of the rows around): the source rectangle goes into the
  ;; module in one block and is laid out here, cheaper than a copy per row from JS.
  (func (export "copy_rows") (param $from i32) (param $to i32) (param $span i32) (param $fromStride i32) (param $toStride i32)
    (param $rows i32) (param $fill i32)
    (local $four i32) (local $eight i64)
    (local.set $four (i32.mul (local.get $fill) (i32.const 0x01010101)))
    (local.set $eight (i64.mul (i64.extend_i32_u (local.get $fill)) (i64.const 0x0101010101010101)))
    (block $done
      (loop $row
        (br_if $done (i32.le_s (local.get $rows) (i32.const 0)))
        (i32.store (i32.sub (local.get $to) (i32.const 4)) (local.get $four))
        (memory.copy (local.get $to) (local.get $from) (local.get $span))
        (i64.store (i32.add (local.get $to) (local.get $span)) (local.get $eight))
        (local.set $from (i32.add (local.get $from) (local.get $fromStride)))
        (local.set $to (i32.add (local.get $to) (local.get $toStride)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))
)
