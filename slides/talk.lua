-- talk.lua -- pandoc filter: the talk path, a subset of the workshop deck.
--
-- With the metadata talk=true (slides.mk passes -M talk=true for
-- build/slides/talk.html), only the slides whose heading has the class
-- .talk (or .demo: every live demo is in the talk) are kept; a slide is a
-- heading of level 1 or 2 and everything up to the next one. Without it,
-- the deck is left whole.

local function kept(header)
  return header.classes:includes("talk") or header.classes:includes("demo")
end

function Pandoc(doc)
  if not doc.meta.talk then
    return nil
  end
  local blocks, keep = pandoc.List(), true
  for _, block in ipairs(doc.blocks) do
    if block.t == "Header" and block.level <= 2 then
      keep = kept(block)
    end
    if keep then
      blocks:insert(block)
    end
  end
  doc.blocks = blocks
  return doc
end
