-- include-code.lua -- pandoc filter: slides show code cut from solutions/,
-- never code pasted into the markdown.
--
--   ```{.c include="solutions/01-chroot/container.c" fn="enter_chroot"}
--   ```
--   ```{.c include="solutions/02-pivot_root/container.c" step="02"}
--   ```
--
-- The cutting itself is done by snippet.awk (next to this file), the one
-- place that knows the fn/step rules; the lessons use the same script.
-- Paths are relative to the directory pandoc runs in (the repo root).
-- Anything wrong (missing file, missing snippet, pasted code) stops pandoc.

local script_dir = PANDOC_SCRIPT_FILE:match("^(.*)/[^/]*$") or "."
local awk_script = script_dir .. "/snippet.awk"

local function fail(msg)
  error("include-code.lua: " .. msg, 0)  -- pandoc prints it and exits non-zero
end

local function readable(path)
  local f = io.open(path, "r")
  if f then f:close() return true end
  return false
end

local function cut(path, key, value)
  local ok, out = pcall(pandoc.pipe, "awk",
    { "-v", key .. "=" .. value, "-f", awk_script, path }, "")
  if not ok then
    -- snippet.awk has already said why on stderr.
    fail(path .. ": cannot cut " .. key .. "=" .. value .. " (snippet.awk failed)")
  end
  if not out:match("%S") then
    fail(path .. ": " .. key .. "=" .. value .. " is empty")
  end
  return (out:gsub("\n+$", ""))
end

function CodeBlock(el)
  local path = el.attributes.include
  if not path then
    if el.classes:includes("c") then
      fail("a C code block without include=: slides never paste code, include it from solutions/:\n"
           .. el.text:sub(1, 200))
    end
    return nil
  end
  if el.text:match("%S") then
    fail(path .. ": the block that includes it must be empty, found pasted code")
  end
  local fn, step = el.attributes.fn, el.attributes.step
  if (fn == nil) == (step == nil) then
    fail(path .. ": say exactly one of fn=\"NAME\" or step=\"NN\"")
  end
  if not readable(path) then
    fail(path .. ": no such file (paths are relative to the repo root)")
  end
  el.text = fn and cut(path, "fn", fn) or cut(path, "step", step)
  el.attributes.include, el.attributes.fn, el.attributes.step = nil, nil, nil
  local label = fn and (path .. " · " .. fn .. "()") or (path .. " · STEP " .. step)
  return pandoc.Div({ el, pandoc.Para({ pandoc.Span(label, { class = "src" }) }) },
                    { class = "snippet" })
end
