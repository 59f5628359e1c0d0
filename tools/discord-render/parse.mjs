// Parse Discord Markdown as the client does: reads a JSON list of {text, mode} on stdin
// (mode "extended" where masked links work: embeds and bot messages; "normal" elsewhere)
// and prints the list of syntax trees, one per text, as JSON.
import markdown from "discord-markdown-parser";

const { parse } = markdown;
let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const texts = JSON.parse(input);
process.stdout.write(JSON.stringify(texts.map(({ text, mode }) => parse(text, mode ?? "extended"))));
