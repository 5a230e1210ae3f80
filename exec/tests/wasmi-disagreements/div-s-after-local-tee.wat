;; wasmi 2.0.0 traps with "integer division by zero" in "f"; V8 (node 20) and Stratus
;; return [0, null, 0]: the divisor is 1 (local 0 is set to 1 by the select).
;; Found by the differential proptest; kept verbatim, as smaller variants do not
;; reproduce it.
(module (global (mut i32) (i32.const 0)) (global (mut i32) (i32.const 50000)) (memory 1)
  (func (export "f") (result i64 funcref i32)
    (local i32 i32)
    global.get 1
    i32.eqz
    if  ;; label = @1
      unreachable
    end
    global.get 1
    i32.const 1
    i32.sub
    global.set 1
    f32.const 0x0p+0 (;=0;)
    f32.abs
    memory.size
    i64.const 0
    block  ;; label = @1
      i32.const 0
      i64.const 72057594037927936
      i64.eqz
      local.set 0
      i32.const 1
      local.get 0
      local.get 0
      i32.eqz
      select
      local.set 0
      local.set 1
      block  ;; label = @2
        block  ;; label = @3
          local.get 1
          local.get 0
          local.set 0
          local.tee 1
          i32.const -2147483648
          i32.ne
          br_if 0 (;@3;)
          local.get 0
          i32.const -1
          i32.ne
          br_if 0 (;@3;)
          i32.const 1
          local.set 0
          br 1 (;@2;)
        end
      end
      local.get 1
      local.get 0
      i32.div_s
      drop
    end
    drop
    drop
    drop
    i64.const 0
    ref.null func
    i32.const 0)
)
