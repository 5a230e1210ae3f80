;; br_table through a jump table: direct targets and one that carries a value.
(module
  (func $classify (export "classify") (param $i i32) (result i32)
    block $out (result i32)
      block $c2
        block $c1
          block $c0
            local.get $i
            br_table $c0 $c1 $c2 $c1 $c2
          end
          i32.const 10
          return
        end
        i32.const 11
        br $out
      end
      i32.const 12
    end
    i32.const 100
    i32.add)
  ;; Every target carries the operand below the index.
  (func $carry (export "carry") (param $i i32) (param $v i32) (result i32)
    block $a (result i32)
      block $b (result i32)
        local.get $v
        local.get $i
        br_table $a $b $a
      end
      i32.const 1
      i32.add
    end))
