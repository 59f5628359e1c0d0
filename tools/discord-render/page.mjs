// The page render.mjs draws each conversation on: Discord's look from @skyra/discord-components-core,
// the Markdown of every text read by discord-markdown-parser (as the client reads it) and drawn
// with the matching components. Bundled by esbuild into one offline page.
import "@skyra/discord-components-core";
import markdown from "discord-markdown-parser";

const { parse } = markdown;
const BUTTON_STYLES = { 1: "primary", 2: "secondary", 3: "success", 4: "destructive", 5: "secondary" };
const AVATARS = { treatybot: avatar("#5865f2", "T"), user: avatar("#3ba55c", "D") };

function avatar(color, letter) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80"><circle cx="40" cy="40" r="40" fill="${color}"/><text x="40" y="54" font-size="40" text-anchor="middle" fill="white" font-family="sans-serif">${letter}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

// One syntax tree node of discord-markdown-parser as DOM nodes.
function draw(nodes) {
  if (typeof nodes === "string") return [document.createTextNode(nodes)];
  return nodes.flatMap(drawNode);
}

function drawNode(node) {
  const content = () => draw(node.content ?? "");
  switch (node.type) {
    case "text":
    case "escape":
      return draw(node.content);
    case "br":
    case "newline":
      return [el("br")];
    case "strong":
      return [el("discord-bold", {}, content())];
    case "em":
      return [el("discord-italic", {}, content())];
    case "underline":
      return [el("discord-underlined", {}, content())];
    case "strikethrough":
      return [el("s", {}, content())];
    case "spoiler":
      return [el("discord-spoiler", {}, content())];
    case "inlineCode":
      return [el("discord-code", {}, [node.content])];
    case "codeBlock":
      return [el("discord-pre", {}, [el("discord-code", { multiline: true }, [node.content])])];
    case "blockQuote":
      return [el("discord-quote", {}, content())];
    case "heading":
      return [el("discord-header", { level: node.level }, content())];
    case "subtext":
      return [el("small", { style: "color:#949ba4" }, content())];
    case "list": {
      const list = node.ordered
        ? el("discord-ordered-list", { start: node.start ?? 1 })
        : el("discord-unordered-list");
      for (const item of node.items) list.append(el("discord-list-item", {}, draw(item)));
      return [list];
    }
    case "url":
    case "autolink":
      return [el("discord-link", { href: node.target, target: "_blank" }, [node.target])];
    case "link":
      return [el("discord-link", { href: node.target, target: "_blank" }, content())];
    case "twemoji":
      return [document.createTextNode(node.name)];
    case "user":
      return [el("discord-mention", {}, [node.id === window.botId ? "treatybot" : "user"])];
    default:
      return node.content !== undefined ? content() : [];
  }
}

const markdownOf = (text, mode = "extended") => draw(parse(text, mode));

// What Discord shows of a text it draws without Markdown links (titles, field names).
function plain(text) {
  const holder = el("span", {}, markdownOf(text, "normal"));
  return holder.textContent;
}

function drawEmbed(embed) {
  const color = embed.color !== undefined ? `#${embed.color.toString(16).padStart(6, "0")}` : undefined;
  const node = el("discord-embed", {
    slot: "embeds",
    color,
    "embed-title": embed.title ? plain(embed.title) : undefined,
    url: embed.url,
    "author-name": embed.author?.name,
  });
  if (embed.description) {
    node.append(el("discord-embed-description", { slot: "description" }, markdownOf(embed.description)));
  }
  if (embed.fields?.length) {
    const fields = el("discord-embed-fields", { slot: "fields" });
    let run = 0;
    for (const field of embed.fields) {
      run = field.inline ? run + 1 : 0;
      fields.append(
        el(
          "discord-embed-field",
          {
            "field-title": plain(field.name),
            inline: Boolean(field.inline),
            "inline-index": field.inline ? ((run - 1) % 3) + 1 : undefined,
          },
          markdownOf(field.value),
        ),
      );
    }
    node.append(fields);
  }
  if (embed.footer?.text) node.append(el("discord-embed-footer", { slot: "footer" }, [embed.footer.text]));
  return node;
}

function drawComponents(rows) {
  return rows.map((row) =>
    el(
      "discord-action-row",
      { slot: "components" },
      row.components
        .filter((component) => component.type === 2)
        .map((button) =>
          el("discord-button", { type: BUTTON_STYLES[button.style] ?? "secondary", url: button.url, disabled: button.disabled }, [
            [button.emoji?.name, button.label].filter(Boolean).join(" "),
          ]),
        ),
    ),
  );
}

function drawMessage(message, command) {
  const node = el("discord-message", {
    author: message.author,
    avatar: message.bot ? AVATARS.treatybot : AVATARS.user,
    bot: message.bot,
    ephemeral: message.ephemeral,
    timestamp: "Today at 10:24",
  });
  if (command) {
    node.append(
      el("discord-command", { slot: "reply", author: command.user, avatar: AVATARS.user, command: command.text }),
    );
  }
  if (message.content) node.append(...markdownOf(message.content, message.bot ? "extended" : "normal"));
  for (const embed of message.embeds) node.append(drawEmbed(embed));
  node.append(...drawComponents(message.components));
  return node;
}

function drawMessages(messages, command) {
  return el(
    "discord-messages",
    {},
    messages.map((message, position) => drawMessage(message, position === 0 ? command : undefined)),
  );
}

// A scene: {command, user, messages} for a slash command; {channel, thread: {name, messages}}
// for a mention answered in a thread.
window.renderScene = (scene, botId) => {
  window.botId = botId;
  const root = document.getElementById("scene");
  root.replaceChildren();
  if (scene.messages) {
    root.append(drawMessages(scene.messages, { user: scene.user, text: scene.command }));
  } else {
    const channel = drawMessages(scene.channel);
    channel.lastElementChild.append(el("discord-thread", { slot: "thread", name: scene.thread.name, cta: "See Thread" }));
    root.append(channel);
    root.append(el("div", { class: "thread-title" }, [`# ${scene.thread.name}`]));
    root.append(drawMessages(scene.thread.messages));
  }
};
