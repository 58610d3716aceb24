;; WASM SIMD (f32x4) kernels of the cpu backend. Source of kernels-wasm.ts (regenerate with
;; `npx tsx core/compute/cpu/wasm/build.ts`; a test fails when the two differ).
;;
;; Every kernel works on arrays in this module's memory, given as byte offsets, and processes
;; ceil(n / 4) whole vectors: the caller (simd.ts) copies chunks in and out, and lanes past n
;; are scratch it never reads back. `acc` = 1 adds the result to what the output holds.

(module
  ;; four operand slots of 64 KiB (simd.ts); build.ts appends a page of constants
  (memory (export "memory") 4)

  ;; exp(x) per lane, Cephes' expf: x = n ln2 + r with |r| <= ln2 / 2, a degree-6 polynomial
  ;; for exp(r) (error about 1 ulp), and 2^n built in the exponent bits. Lanes above
  ;; 88.376 give +inf (2^n would overflow the exponent), lanes below -87.33 give 0 (2^n would
  ;; be subnormal; the true value is below 1.2e-38), NaN stays NaN.
  (func $exp (param $x v128) (result v128)
    (local $c v128) (local $t v128) (local $fx v128) (local $r v128) (local $y v128)
    ;; pmin/pmax (one instruction each) keep a NaN in $x: the comparison is false for it
    (local.set $c (f32x4.pmin (f32x4.pmax (local.get $x) (f32x4.splat (f32.const -87.33654))) (f32x4.splat (f32.const 88.3762626647949))))
    ;; n = round(c / ln2): adding 1.5 * 2^23 rounds to an integer and leaves n in the low mantissa bits
    (local.set $t (f32x4.add (f32x4.mul (local.get $c) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
    (local.set $fx (f32x4.sub (local.get $t) (f32x4.splat (f32.const 12582912))))
    ;; ln2 split in two so that fx * ln2_hi is exact
    (local.set $r (f32x4.sub (local.get $c) (f32x4.mul (local.get $fx) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $fx) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $y (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $y (f32x4.add (f32x4.add (f32x4.mul (local.get $y) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
      (f32x4.splat (f32.const 1))))
    ;; times 2^n: (n + 127) << 23 is the bit pattern of 2^n; n + 127 = bits(t) - bits(1.5 * 2^23) + 127
    (local.set $y (f32x4.mul (local.get $y)
      (i32x4.shl (i32x4.sub (local.get $t) (i32x4.splat (i32.const 0x4b3fff81))) (i32.const 23))))
    (local.set $y (v128.bitselect (f32x4.splat (f32.const inf)) (local.get $y)
      (f32x4.gt (local.get $x) (f32x4.splat (f32.const 88.3762626647949)))))
    (v128.bitselect (f32x4.splat (f32.const 0)) (local.get $y)
      (f32x4.lt (local.get $x) (f32x4.splat (f32.const -87.33654))))
  )

  ;; u = sqrt(2/pi) (x + 0.044715 x^3), the argument of GELU's tanh
  (func $geluArg (param $x v128) (result v128)
    (f32x4.mul (f32x4.splat (f32.const 0.7978845608028654))
      (f32x4.add (local.get $x)
        (f32x4.mul (f32x4.mul (f32x4.splat (f32.const 0.044715)) (local.get $x)) (f32x4.mul (local.get $x) (local.get $x)))))
  )

  ;; out (+)= x * s with s = 0.5 (1 + tanh u) = 1 / (1 + exp(-2u)): no cancellation in either
  ;; tail, unlike 1 + tanh(u) for u << 0.
  (func (export "gelu_tanh") (param $x i32) (param $out i32) (param $n i32) (param $acc i32)
    (local $end i32) (local $v v128) (local $y v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (v128.load (local.get $x)))
        (local.set $y (f32x4.mul (local.get $v)
          (f32x4.div (f32x4.splat (f32.const 1))
            (f32x4.add (f32x4.splat (f32.const 1))
              (call $exp (f32x4.mul (f32x4.splat (f32.const -2)) (call $geluArg (local.get $v))))))))
        (if (local.get $acc) (then (local.set $y (f32x4.add (local.get $y) (v128.load (local.get $out))))))
        (v128.store (local.get $out) (local.get $y))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next)))
  )

  ;; dx (+)= dy * d/dx[x s(x)] = dy * s (1 + 2 x (1 - s) u'(x)), with 1 - s = e s for
  ;; e = exp(-2u) (capped at FLT_MAX so that e s stays finite where s underflows). x is clamped
  ;; to +-1e4 first (the derivative is 0 or 1 there; x^2 would overflow near 1e19), and adding
  ;; x - x makes infinite x give NaN, as the JS reference (math.ts) does.
  (func (export "gelu_tanh_grad") (param $x i32) (param $dy i32) (param $dx i32) (param $n i32) (param $acc i32)
    (local $end i32) (local $x0 v128) (local $v v128) (local $e v128) (local $s v128) (local $du v128) (local $g v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $x0 (v128.load (local.get $x)))
        (local.set $v (f32x4.pmin (f32x4.pmax (local.get $x0) (f32x4.splat (f32.const -1e4))) (f32x4.splat (f32.const 1e4))))
        (local.set $e (f32x4.min (f32x4.splat (f32.const 0x1.fffffep+127))
          (call $exp (f32x4.mul (f32x4.splat (f32.const -2)) (call $geluArg (local.get $v))))))
        (local.set $s (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e))))
        ;; u'(x) = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
        (local.set $du (f32x4.mul (f32x4.splat (f32.const 0.7978845608028654))
          (f32x4.add (f32x4.splat (f32.const 1))
            (f32x4.mul (f32x4.splat (f32.const 0.134145)) (f32x4.mul (local.get $v) (local.get $v))))))
        (local.set $g (f32x4.mul (local.get $s)
          (f32x4.add (f32x4.splat (f32.const 1))
            (f32x4.mul (f32x4.mul (f32x4.splat (f32.const 2)) (local.get $v))
              (f32x4.mul (f32x4.mul (local.get $e) (local.get $s)) (local.get $du))))))
        (local.set $g (f32x4.add (local.get $g) (f32x4.sub (local.get $x0) (local.get $x0))))
        (local.set $g (f32x4.mul (local.get $g) (v128.load (local.get $dy))))
        (if (local.get $acc) (then (local.set $g (f32x4.add (local.get $g) (v128.load (local.get $dx))))))
        (v128.store (local.get $dx) (local.get $g))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
        (br $next)))
  )
)
