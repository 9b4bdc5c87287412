// The small Markdown the rule explanations use (headings, paragraphs, lists, fenced code, inline
// code, bold, links), rendered to DOM nodes: text is never parsed as HTML.

export function renderMarkdown(markdown: string, headingLevelOffset = 0): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const lines = markdown.replace(/\r\n/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    const fence = /^```(\S*)/.exec(line);
    if (fence !== null) {
      const code: string[] = [];
      i += 1;
      while (i < lines.length && !(lines[i] ?? "").startsWith("```")) {
        code.push(lines[i] ?? "");
        i += 1;
      }
      i += 1;
      const pre = document.createElement("pre");
      const element = document.createElement("code");
      if (fence[1] !== undefined && fence[1] !== "") {
        element.className = `language-${fence[1]}`;
      }
      element.textContent = code.join("\n");
      pre.append(element);
      fragment.append(pre);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading !== null) {
      const level = Math.min(6, (heading[1] ?? "#").length + headingLevelOffset);
      const element = document.createElement(`h${level}`);
      element.append(...inline(heading[2] ?? ""));
      fragment.append(element);
      i += 1;
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      const list = document.createElement("ul");
      while (i < lines.length && /^\s*[-*]\s+/.test(lines[i] ?? "")) {
        let text = (lines[i] ?? "").replace(/^\s*[-*]\s+/, "");
        i += 1;
        // Continuation lines of the same item are indented.
        while (i < lines.length && /^\s{2,}\S/.test(lines[i] ?? "") && !/^\s*[-*]\s+/.test(lines[i] ?? "")) {
          text += " " + (lines[i] ?? "").trim();
          i += 1;
        }
        const item = document.createElement("li");
        item.append(...inline(text));
        list.append(item);
      }
      fragment.append(list);
      continue;
    }
    if (line.trim() === "") {
      i += 1;
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length) {
      const next = lines[i] ?? "";
      if (next.trim() === "" || next.startsWith("```") || /^#{1,6}\s/.test(next) || /^\s*[-*]\s+/.test(next)) {
        break;
      }
      paragraph.push(next.trim());
      i += 1;
    }
    const element = document.createElement("p");
    element.append(...inline(paragraph.join(" ")));
    fragment.append(element);
  }
  return fragment;
}

/** Inline code, bold and links; everything else is text. */
export function inline(text: string): Node[] {
  const nodes: Node[] = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    const index = match.index;
    if (index > at) {
      nodes.push(document.createTextNode(text.slice(at, index)));
    }
    if (match[1] !== undefined) {
      const code = document.createElement("code");
      code.textContent = match[1];
      nodes.push(code);
    } else if (match[2] !== undefined) {
      const strong = document.createElement("strong");
      strong.append(...inline(match[2]));
      nodes.push(strong);
    } else if (match[3] !== undefined && match[4] !== undefined) {
      const link = document.createElement("a");
      link.textContent = match[3];
      link.href = /^(https?:|#|[\w.-]+\.html)/.test(match[4]) ? match[4] : "#";
      nodes.push(link);
    }
    at = index + match[0].length;
  }
  if (at < text.length) {
    nodes.push(document.createTextNode(text.slice(at)));
  }
  return nodes;
}
