;; WASM SIMD (f32x4) kernels of the cpu backend. Source of kernels-wasm.ts (regenerate with
;; `npx tsx core/compute/cpu/wasm/build.ts`; a test fails when the two differ).
;;
;; Every kernel works on arrays in this module's memory, given as byte offsets, and processes
;; ceil(n / 4) whole vectors: the caller (simd.ts) copies chunks in and out, and lanes past n
;; are scratch it never reads back. `acc` = 1 adds the result to what the output holds.

(module
  ;; six operand slots of 64 KiB (simd.ts); build.ts appends a page of constants
  (memory (export "memory") 6)

;; GELU with the tanh approximation, gelu(x) = x s with s = 0.5 (1 + tanh u) = 1 / (1 + e),
  ;; u = sqrt(2/pi) (x + 0.044715 x^3) and e = exp(-2u): no cancellation in either tail, unlike
  ;; 1 + tanh(u) for u << 0. One loop for both directions (the branch is the same every
  ;; iteration), with exp written out inline: V8 does not inline wasm calls, and the call cost
  ;; a quarter of the time.
  ;;   grad = 0: out (+)= x s
  ;;   grad = 1: out (+)= dy d/dx[x s] = dy s (1 + 2 x (1 - s) u'(x)), with 1 - s = e s and e
  ;;             capped at FLT_MAX so that e s stays finite where s underflows; adding x - x makes
  ;;             infinite x give NaN, as the JS reference (math.ts) does.
  ;; x is clamped to +-1e4 inside (s is exactly 0 or 1 beyond; x^3 would overflow near 7e12).
  ;; exp is Cephes' expf: -2u = n ln2 + r with |r| <= ln2 / 2, a degree-6 polynomial for exp(r)
  ;; (about 1 ulp) and 2^n built in the exponent bits; above 88.376 it gives +inf (2^n would
  ;; overflow), below -87.33 it gives 0 (2^n would be subnormal, the value is under 1.2e-38).
  (func (export "gelu_tanh") (param $x i32) (param $dy i32) (param $out i32) (param $n i32) (param $acc i32) (param $grad i32)
    (local $end i32) (local $x0 v128) (local $v v128) (local $a v128) (local $c v128) (local $t v128) (local $fx v128)
    (local $r v128) (local $e v128) (local $s v128) (local $du v128) (local $y v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $x0 (v128.load (local.get $x)))
        ;; pmin/pmax (one instruction each) keep a NaN: their comparison is false for it
        (local.set $v (f32x4.pmin (f32x4.pmax (local.get $x0) (f32x4.splat (f32.const -1e4))) (f32x4.splat (f32.const 1e4))))
        ;; a = -2u
        (local.set $a (f32x4.mul (f32x4.splat (f32.const -1.5957691216057308))
          (f32x4.add (local.get $v)
            (f32x4.mul (f32x4.mul (f32x4.splat (f32.const 0.044715)) (local.get $v)) (f32x4.mul (local.get $v) (local.get $v))))))
        ;; e = exp(a)
        (local.set $c (f32x4.pmin (f32x4.pmax (local.get $a) (f32x4.splat (f32.const -87.33654))) (f32x4.splat (f32.const 88.3762626647949))))
        ;; n = round(c / ln2): adding 1.5 * 2^23 rounds to an integer and leaves n in the low mantissa bits
        (local.set $t (f32x4.add (f32x4.mul (local.get $c) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
        (local.set $fx (f32x4.sub (local.get $t) (f32x4.splat (f32.const 12582912))))
        ;; ln2 split in two so that fx * ln2_hi is exact
        (local.set $r (f32x4.sub (local.get $c) (f32x4.mul (local.get $fx) (f32x4.splat (f32.const 0.693359375)))))
        (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $fx) (f32x4.splat (f32.const -2.12194440e-4)))))
        (local.set $e (f32x4.splat (f32.const 1.9875691500e-4)))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
        (local.set $e (f32x4.add (f32x4.add (f32x4.mul (local.get $e) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
          (f32x4.splat (f32.const 1))))
        ;; times 2^n: (n + 127) << 23 is the bit pattern of 2^n; n + 127 = bits(t) - bits(1.5 * 2^23) + 127
        (local.set $e (f32x4.mul (local.get $e)
          (i32x4.shl (i32x4.sub (local.get $t) (i32x4.splat (i32.const 0x4b3fff81))) (i32.const 23))))
        (local.set $e (v128.bitselect (f32x4.splat (f32.const inf)) (local.get $e)
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 88.3762626647949)))))
        (local.set $e (v128.bitselect (f32x4.splat (f32.const 0)) (local.get $e)
          (f32x4.lt (local.get $a) (f32x4.splat (f32.const -87.33654)))))
        (if (local.get $grad)
          (then
            (local.set $e (f32x4.min (f32x4.splat (f32.const 0x1.fffffep+127)) (local.get $e)))
            (local.set $s (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e))))
            ;; u'(x) = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
            (local.set $du (f32x4.mul (f32x4.splat (f32.const 0.7978845608028654))
              (f32x4.add (f32x4.splat (f32.const 1))
                (f32x4.mul (f32x4.splat (f32.const 0.134145)) (f32x4.mul (local.get $v) (local.get $v))))))
            (local.set $y (f32x4.mul (local.get $s)
              (f32x4.add (f32x4.splat (f32.const 1))
                (f32x4.mul (f32x4.mul (f32x4.splat (f32.const 2)) (local.get $v))
                  (f32x4.mul (f32x4.mul (local.get $e) (local.get $s)) (local.get $du))))))
            (local.set $y (f32x4.add (local.get $y) (f32x4.sub (local.get $x0) (local.get $x0))))
            (local.set $y (f32x4.mul (local.get $y) (v128.load (local.get $dy)))))
          (else
            (local.set $y (f32x4.mul (local.get $x0)
              (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e)))))))
        (if (local.get $acc) (then (local.set $y (f32x4.add (local.get $y) (v128.load (local.get $out))))))
        (v128.store (local.get $out) (local.get $y))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next)))
  )

;; ---- row kernels: `cols` is a multiple of 4 --------------------------------------------------

  (func $hsum (param $v v128) (result f32)
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v))))
  )

  ;; Layer norm of `rows` rows: out = (x - mean) rstd gamma + beta; writes mean and rstd per row.
  (func (export "layer_norm") (param $x i32) (param $gamma i32) (param $beta i32) (param $out i32)
    (param $mean i32) (param $rstd i32) (param $rows i32) (param $cols i32) (param $eps f32)
    (local $rowBytes i32) (local $c i32) (local $acc v128) (local $mu f32) (local $rs f32) (local $muv v128) (local $rsv v128) (local $d v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        ;; mean
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (loop $sum
          (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $x) (local.get $c)))))
          (br_if $sum (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $rowBytes))))
        (local.set $mu (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $cols))))
        (local.set $muv (f32x4.splat (local.get $mu)))
        ;; variance about the mean (two passes: no cancellation)
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (loop $var
          (local.set $d (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $c))) (local.get $muv)))
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $d) (local.get $d))))
          (br_if $var (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $rowBytes))))
        (local.set $rs (f32.div (f32.const 1) (f32.sqrt (f32.add
          (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $cols))) (local.get $eps)))))
        (local.set $rsv (f32x4.splat (local.get $rs)))
        (f32.store (local.get $mean) (local.get $mu))
        (f32.store (local.get $rstd) (local.get $rs))
        (local.set $c (i32.const 0))
        (loop $norm
          (v128.store (i32.add (local.get $out) (local.get $c))
            (f32x4.add
              (f32x4.mul (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $c))) (local.get $muv)) (local.get $rsv))
                (v128.load (i32.add (local.get $gamma) (local.get $c))))
              (v128.load (i32.add (local.get $beta) (local.get $c)))))
          (br_if $norm (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $rowBytes))))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
        (local.set $mean (i32.add (local.get $mean) (i32.const 4)))
        (local.set $rstd (i32.add (local.get $rstd) (i32.const 4)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row)))
  )

  ;; Layer norm backward of `rows` rows, with h = (x - mean) rstd and g = dy gamma:
  ;; dx (+)= rstd (g - mean(g) - h mean(g h)); dgamma += dy h and dbeta += dy (always accumulate).
  (func (export "layer_norm_grad") (param $x i32) (param $gamma i32) (param $mean i32) (param $rstd i32)
    (param $dy i32) (param $dx i32) (param $dgamma i32) (param $dbeta i32) (param $rows i32) (param $cols i32) (param $acc i32)
    (local $rowBytes i32) (local $c i32) (local $muv v128) (local $rsv v128) (local $h v128) (local $d v128) (local $g v128)
    (local $sg v128) (local $sgx v128) (local $sgv v128) (local $sgxv v128) (local $r v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $muv (v128.load32_splat (local.get $mean)))
        (local.set $rsv (v128.load32_splat (local.get $rstd)))
        (local.set $sg (v128.const i32x4 0 0 0 0))
        (local.set $sgx (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (loop $sums
          (local.set $h (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $c))) (local.get $muv)) (local.get $rsv)))
          (local.set $d (v128.load (i32.add (local.get $dy) (local.get $c))))
          (local.set $g (f32x4.mul (local.get $d) (v128.load (i32.add (local.get $gamma) (local.get $c)))))
          (local.set $sg (f32x4.add (local.get $sg) (local.get $g)))
          (local.set $sgx (f32x4.add (local.get $sgx) (f32x4.mul (local.get $g) (local.get $h))))
          (v128.store (i32.add (local.get $dgamma) (local.get $c))
            (f32x4.add (v128.load (i32.add (local.get $dgamma) (local.get $c))) (f32x4.mul (local.get $d) (local.get $h))))
          (v128.store (i32.add (local.get $dbeta) (local.get $c))
            (f32x4.add (v128.load (i32.add (local.get $dbeta) (local.get $c))) (local.get $d)))
          (br_if $sums (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $rowBytes))))
        (local.set $sgv (f32x4.splat (f32.div (call $hsum (local.get $sg)) (f32.convert_i32_u (local.get $cols)))))
        (local.set $sgxv (f32x4.splat (f32.div (call $hsum (local.get $sgx)) (f32.convert_i32_u (local.get $cols)))))
        (local.set $c (i32.const 0))
        (loop $grad
          (local.set $h (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $c))) (local.get $muv)) (local.get $rsv)))
          (local.set $g (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $c))) (v128.load (i32.add (local.get $gamma) (local.get $c)))))
          (local.set $r (f32x4.mul (local.get $rsv)
            (f32x4.sub (f32x4.sub (local.get $g) (local.get $sgv)) (f32x4.mul (local.get $h) (local.get $sgxv)))))
          (if (local.get $acc) (then (local.set $r (f32x4.add (local.get $r) (v128.load (i32.add (local.get $dx) (local.get $c)))))))
          (v128.store (i32.add (local.get $dx) (local.get $c)) (local.get $r))
          (br_if $grad (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $rowBytes))))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $dy (i32.add (local.get $dy) (local.get $rowBytes)))
        (local.set $dx (i32.add (local.get $dx) (local.get $rowBytes)))
        (local.set $mean (i32.add (local.get $mean) (i32.const 4)))
        (local.set $rstd (i32.add (local.get $rstd) (i32.const 4)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row)))
  )

  ;; sum[i] += x[r, i] over `rows` rows of `cols` (the column sums of a bias gradient).
  (func (export "add_rows") (param $x i32) (param $sum i32) (param $rows i32) (param $cols i32)
    (local $rowBytes i32) (local $c i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $c (i32.const 0))
        (loop $col
          (v128.store (i32.add (local.get $sum) (local.get $c))
            (f32x4.add (v128.load (i32.add (local.get $sum) (local.get $c))) (v128.load (i32.add (local.get $x) (local.get $c)))))
          (br_if $col (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $rowBytes))))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row)))
  )

  ;; PyTorch's SGD with momentum (not Nesterov), in place over n elements:
  ;; d = g + wd p; buf = first ? d : momentum buf + keep d; p -= lr buf.
  (func (export "sgd_momentum") (param $p i32) (param $g i32) (param $buf i32) (param $n i32)
    (param $lr f32) (param $momentum f32) (param $keep f32) (param $wd f32) (param $first i32)
    (local $end i32) (local $pv v128) (local $d v128) (local $b v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $pv (v128.load (local.get $p)))
        (local.set $d (f32x4.add (v128.load (local.get $g)) (f32x4.mul (f32x4.splat (local.get $wd)) (local.get $pv))))
        (local.set $b (select (result v128) (local.get $d)
          (f32x4.add (f32x4.mul (f32x4.splat (local.get $momentum)) (v128.load (local.get $buf)))
            (f32x4.mul (f32x4.splat (local.get $keep)) (local.get $d)))
          (local.get $first)))
        (v128.store (local.get $buf) (local.get $b))
        (v128.store (local.get $p) (f32x4.sub (local.get $pv) (f32x4.mul (f32x4.splat (local.get $lr)) (local.get $b))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $buf (i32.add (local.get $buf) (i32.const 16)))
        (br $next)))
  )
;; ---- binary ops ---------------------------------------------------------------------------

  ;; out = a + b over `rows` rows of `cols`, b advancing by `bStep` bytes per row: 4 * cols for
  ;; two dense operands, 0 for a bias row repeated under every row of a.
  (func (export "add") (param $a i32) (param $b i32) (param $out i32) (param $rows i32) (param $cols i32) (param $bStep i32)
    (local $rowBytes i32) (local $c i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $c (i32.const 0))
        (loop $col
          (v128.store (i32.add (local.get $out) (local.get $c))
            (f32x4.add (v128.load (i32.add (local.get $a) (local.get $c))) (v128.load (i32.add (local.get $b) (local.get $c)))))
          (br_if $col (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $rowBytes))))
        (local.set $a (i32.add (local.get $a) (local.get $rowBytes)))
        (local.set $b (i32.add (local.get $b) (local.get $bStep)))
        (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row)))
  )
;; ---- strided copy -----------------------------------------------------------------------------

  ;; dst[i1 t1 + i2 t2 + i] (+)= src[i1 s1 + i2 s2 + i] for i1 < n1, i2 < n2, i < n3 (a multiple
  ;; of 4): rows of n3 contiguous elements, strides in elements.
  (func (export "copy_rows") (param $src i32) (param $dst i32) (param $n1 i32) (param $n2 i32) (param $n3 i32)
    (param $s1 i32) (param $s2 i32) (param $t1 i32) (param $t2 i32) (param $acc i32)
    (local $i1 i32) (local $i2 i32) (local $c i32) (local $rowBytes i32) (local $from i32) (local $to i32) (local $v v128)
    (local.set $rowBytes (i32.shl (local.get $n3) (i32.const 2)))
    (local.set $i1 (i32.const 0))
    (block $done1
      (loop $outer
        (br_if $done1 (i32.ge_u (local.get $i1) (local.get $n1)))
        (local.set $i2 (i32.const 0))
        (block $done2
          (loop $inner
            (br_if $done2 (i32.ge_u (local.get $i2) (local.get $n2)))
            (local.set $from (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $i1) (local.get $s1))
              (i32.mul (local.get $i2) (local.get $s2))) (i32.const 2))))
            (local.set $to (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $i1) (local.get $t1))
              (i32.mul (local.get $i2) (local.get $t2))) (i32.const 2))))
            (local.set $c (i32.const 0))
            (loop $row
              (local.set $v (v128.load (i32.add (local.get $from) (local.get $c))))
              (if (local.get $acc) (then (local.set $v (f32x4.add (local.get $v) (v128.load (i32.add (local.get $to) (local.get $c)))))))
              (v128.store (i32.add (local.get $to) (local.get $c)) (local.get $v))
              (br_if $row (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $rowBytes))))
            (local.set $i2 (i32.add (local.get $i2) (i32.const 1)))
            (br $inner)))
        (local.set $i1 (i32.add (local.get $i1) (i32.const 1)))
        (br $outer)))
  )
;; ---- softmax --------------------------------------------------------------------------------

  ;; exp per lane, the Cephes expf written out inline in gelu_tanh above (same constants, same
  ;; limits: +inf above 88.376, 0 below -87.33, NaN stays NaN); a call here, where it runs once
  ;; per element of a short row.
  (func $exp (param $a v128) (result v128)
    (local $c v128) (local $t v128) (local $fx v128) (local $r v128) (local $e v128)
    (local.set $c (f32x4.pmin (f32x4.pmax (local.get $a) (f32x4.splat (f32.const -87.33654))) (f32x4.splat (f32.const 88.3762626647949))))
    (local.set $t (f32x4.add (f32x4.mul (local.get $c) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
    (local.set $fx (f32x4.sub (local.get $t) (f32x4.splat (f32.const 12582912))))
    (local.set $r (f32x4.sub (local.get $c) (f32x4.mul (local.get $fx) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $fx) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $e (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $e (f32x4.add (f32x4.add (f32x4.mul (local.get $e) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
      (f32x4.splat (f32.const 1))))
    (local.set $e (f32x4.mul (local.get $e)
      (i32x4.shl (i32x4.sub (local.get $t) (i32x4.splat (i32.const 0x4b3fff81))) (i32.const 23))))
    (local.set $e (v128.bitselect (f32x4.splat (f32.const inf)) (local.get $e)
      (f32x4.gt (local.get $a) (f32x4.splat (f32.const 88.3762626647949)))))
    (v128.bitselect (f32x4.splat (f32.const 0)) (local.get $e)
      (f32x4.lt (local.get $a) (f32x4.splat (f32.const -87.33654))))
  )

  ;; Row-wise softmax of `rows` rows of any `cols`, stored one after another. A row's last vector
  ;; reaches into the next row: its extra lanes are masked out of the max and the sum, and what
  ;; it stores there is overwritten when the next row is done (the caller leaves 3 elements of
  ;; room after the last row).
  (func (export "softmax_rows") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $rowBytes i32) (local $c i32) (local $mask v128) (local $v v128) (local $m v128) (local $sum v128)
    (local $mx f32) (local $e v128) (local $inv v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $m (f32x4.splat (f32.const -inf)))
        (local.set $c (i32.const 0))
        (loop $max
          (local.set $mask (i32x4.lt_s (i32x4.add (i32x4.splat (local.get $c)) (v128.const i32x4 0 1 2 3)) (i32x4.splat (local.get $cols))))
          (local.set $v (v128.bitselect (v128.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
            (f32x4.splat (f32.const -inf)) (local.get $mask)))
          (local.set $m (f32x4.max (local.get $m) (local.get $v)))
          (br_if $max (i32.lt_s (local.tee $c (i32.add (local.get $c) (i32.const 4))) (local.get $cols))))
        (local.set $mx (f32.max (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
          (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
        (local.set $sum (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (loop $exps
          (local.set $mask (i32x4.lt_s (i32x4.add (i32x4.splat (local.get $c)) (v128.const i32x4 0 1 2 3)) (i32x4.splat (local.get $cols))))
          (local.set $e (v128.and (local.get $mask)
            (call $exp (f32x4.sub (v128.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))) (f32x4.splat (local.get $mx))))))
          (v128.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))) (local.get $e))
          (local.set $sum (f32x4.add (local.get $sum) (local.get $e)))
          (br_if $exps (i32.lt_s (local.tee $c (i32.add (local.get $c) (i32.const 4))) (local.get $cols))))
        (local.set $inv (f32x4.splat (f32.div (f32.const 1) (call $hsum (local.get $sum)))))
        (local.set $c (i32.const 0))
        (loop $scale
          (v128.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
            (f32x4.mul (v128.load (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))) (local.get $inv)))
          (br_if $scale (i32.lt_s (local.tee $c (i32.add (local.get $c) (i32.const 4))) (local.get $cols))))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row)))
  )
)
