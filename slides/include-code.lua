-- include-code.lua -- pandoc filter: slides show code cut from solutions/,
-- never code pasted into the markdown.
--
--   ```{.c include="solutions/01-chroot/container.c" fn="enter_chroot"}
--   ```
--   ```{.c include="solutions/02-pivot_root/container.c" step="02"}
--   ```
--   ```{.c include="solutions/03-mnt/container.c" fn="run_container" part="1/2" nocomments="1"}
--   ```
--
-- part="K/N" and nocomments="1" shape the cut for a slide (snippet.awk says
-- how); the caption under the code says so, so nobody mistakes the part
-- for the whole.
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

local function cut(path, key, value, part, nocomments)
  local args = { "-v", key .. "=" .. value }
  if part then table.insert(args, "-v"); table.insert(args, "part=" .. part) end
  if nocomments then table.insert(args, "-v"); table.insert(args, "nocomments=1") end
  table.insert(args, "-f"); table.insert(args, awk_script); table.insert(args, path)
  local ok, out = pcall(pandoc.pipe, "awk", args, "")
  local what = key .. "=" .. value .. (part and (" part=" .. part) or "")
  if not ok then
    -- snippet.awk has already said why on stderr.
    fail(path .. ": cannot cut " .. what .. " (snippet.awk failed)")
  end
  if not out:match("%S") then
    fail(path .. ": " .. what .. " is empty")
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
  local part, nocomments = el.attributes.part, el.attributes.nocomments
  if (fn == nil) == (step == nil) then
    fail(path .. ": say exactly one of fn=\"NAME\" or step=\"NN\"")
  end
  if nocomments and nocomments ~= "1" then
    fail(path .. ": nocomments=\"1\" or nothing")
  end
  if not readable(path) then
    fail(path .. ": no such file (paths are relative to the repo root)")
  end
  el.text = fn and cut(path, "fn", fn, part, nocomments) or cut(path, "step", step, part, nocomments)
  for _, k in ipairs({ "include", "fn", "step", "part", "nocomments" }) do el.attributes[k] = nil end
  local label = fn and (path .. " · " .. fn .. "()") or (path .. " · STEP " .. step)
  if part then
    local k, n = part:match("^(%d+)/(%d+)$")
    label = label .. " · part " .. (k or part) .. " of " .. (n or "?")
  end
  if nocomments then label = label .. " · comments in the source" end
  return pandoc.Div({ el, pandoc.Para({ pandoc.Span(label, { class = "src" }) }) },
                    { class = "snippet" })
end
