;; bounds: guard, explicit
;; memory.grow is a libcall; memory.size reads the length; a load after the grow.
(module
  (memory 1)
  (func $grow (export "grow") (param $pages i32) (result i32)
    local.get $pages
    memory.grow
    drop
    memory.size
    i32.const 0
    i32.load
    i32.add))
