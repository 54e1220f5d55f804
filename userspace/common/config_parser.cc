#include "config_parser.h"

#include <glob.h>

#include <optional>

#include "fd.h"

namespace rdbd {

namespace {

// How messages name the section being parsed.
struct Scope {
	std::string label; // "resource r0", "net", "on corman"
	std::string where; // "in 'net' of resource r0", "at top level"
	std::string owner; // "resource r0": what nested scopes belong to
};

Scope top_scope()
{
	return {"", "at top level", ""};
}

Scope nested_scope(const Scope &parent, const ConfigNode &section)
{
	Scope s;
	s.label = section.keyword +
		  (section.name.empty() ? "" : " " + section.name);
	if (parent.owner.empty()) {
		s.where = "in " + s.label;
		s.owner = s.label;
	} else {
		s.where = "in '" + s.label + "' of " + parent.owner;
		s.owner = parent.owner;
	}
	return s;
}

bool is_word(const Token &t)
{
	return t.kind == TokenKind::Word || t.kind == TokenKind::String;
}

// check_value() with the error placed at the offending word.
ConfigValue check_words(const KeySpec &key, const std::vector<Token> &words)
{
	std::vector<std::string> texts;
	for (const Token &w : words)
		texts.push_back(w.text);
	try {
		return check_value(key, texts);
	} catch (const ValueError &e) {
		throw ConfigError(words[e.word].where, e.message);
	}
}

std::string join_words(const std::vector<Token> &words, size_t count)
{
	std::string s;
	for (size_t i = 0; i < count; ++i)
		s += " " + words[i].text;
	return s;
}

// An include that includes itself, directly or not, would never end.
constexpr int kMaxIncludeDepth = 8;

// "dir/" of "dir/file", "" for a bare file name.
std::string directory_of(const std::string &file)
{
	const size_t slash = file.rfind('/');
	return slash == std::string::npos ? "" : file.substr(0, slash + 1);
}

bool has_wildcard(const std::string &pattern)
{
	return pattern.find_first_of("*?[") != std::string::npos;
}

// The files `include "PATTERN";` names, sorted (glob sorts them).  A
// pattern without a wildcard names a file that must exist; one with a
// wildcard may match nothing, like an empty or missing drbd.d/.
std::vector<std::string> included_files(const ConfigNode &include,
					const std::string &including_file)
{
	std::string pattern = std::get<std::string>(include.value);
	if (pattern[0] != '/')
		pattern = directory_of(including_file) + pattern;
	if (!has_wildcard(pattern))
		return {pattern};
	glob_t g{};
	const int rc = glob(pattern.c_str(), 0, nullptr, &g);
	std::vector<std::string> files(g.gl_pathv, g.gl_pathv + g.gl_pathc);
	globfree(&g);
	if (rc != 0 && rc != GLOB_NOMATCH)
		throw ConfigError(include.where,
				  "cannot expand 'include \"" + pattern +
					  "\"' (out of memory)");
	return files;
}

ConfigError unknown_keyword(const Token &keyword, const SectionSpec &spec,
			    const Scope &scope)
{
	const std::string_view hint = drbd_only_hint(keyword.text);
	return ConfigError(keyword.where,
			   "unknown keyword " + keyword.describe() + " " +
				   scope.where +
				   (hint.empty() ? ""
						 : ": " + std::string(hint)) +
				   " (expected one of: " + spec.keyword_list() +
				   ")");
}

class Parser {
public:
	Parser(std::string_view text, const std::string &file, int depth)
		: lexer_(text, file), file_(file), depth_(depth)
	{
	}

	// Adds the file's statements to `root`: the including file's root
	// when this file is included.
	void parse_into(ConfigNode &root)
	{
		parse_body(root, top_level_schema(), top_scope(), nullptr);
	}

private:
	void parse_body(ConfigNode &parent, const SectionSpec &spec,
			const Scope &scope, const Token *open);
	void parse_entry(ConfigNode &parent, const SectionSpec &spec,
			 const Scope &scope, const Token &keyword);
	void parse_value(ConfigNode &node, const KeySpec &key);
	void parse_section(ConfigNode &node, const KeySpec &key,
			   const Scope &scope);

	void include(ConfigNode &root, const ConfigNode &statement);
	Token next();
	const Token &peek();

	Lexer lexer_;
	std::string file_;
	int depth_;
	std::optional<Token> peeked_;
};

// Parses each included file into `root`, where the include statement
// stands; errors in it name the included file.
void Parser::include(ConfigNode &root, const ConfigNode &statement)
{
	if (depth_ >= kMaxIncludeDepth)
		throw ConfigError(statement.where,
				  "includes nested more than " +
					  std::to_string(kMaxIncludeDepth) +
					  " deep (expected no file to "
					  "include itself)");
	for (const std::string &file : included_files(statement, file_)) {
		std::string text;
		try {
			text = read_config_file(file);
		} catch (const ConfigError &e) {
			throw ConfigError(statement.where, e.what());
		}
		Parser(text, file, depth_ + 1).parse_into(root);
	}
}

Token Parser::next()
{
	if (!peeked_)
		return lexer_.next();
	Token t = std::move(*peeked_);
	peeked_.reset();
	return t;
}

// One token of lookahead tells `disk /dev/vdb;` from `disk { ... }`.
const Token &Parser::peek()
{
	if (!peeked_)
		peeked_ = lexer_.next();
	return *peeked_;
}

// Reads entries until the '}' that matches `open` (or the end of the file
// at top level, where `open` is null).
void Parser::parse_body(ConfigNode &parent, const SectionSpec &spec,
			const Scope &scope, const Token *open)
{
	for (;;) {
		const Token t = next();
		switch (t.kind) {
		case TokenKind::Word:
			parse_entry(parent, spec, scope, t);
			break;
		case TokenKind::End:
			if (open)
				throw ConfigError(open->where,
						  "unterminated section '" +
							  scope.label +
							  "' (expected '}' "
							  "before the end of "
							  "the file)");
			return;
		case TokenKind::CloseBrace:
			if (open)
				return;
			throw ConfigError(t.where, "unexpected '}' at top "
						   "level (no section is "
						   "open)");
		default:
			throw ConfigError(t.where,
					  "unexpected " + t.describe() + " " +
						  scope.where +
						  " (expected a keyword: " +
						  spec.keyword_list() + ")");
		}
	}
}

void Parser::parse_entry(ConfigNode &parent, const SectionSpec &spec,
			 const Scope &scope, const Token &keyword)
{
	const bool brace_follows = peek().kind == TokenKind::OpenBrace;
	const KeySpec *key = spec.find(keyword.text, brace_follows);
	if (!key)
		throw unknown_keyword(keyword, spec, scope);
	const bool is_section = key->shape != Shape::Value;
	const ConfigNode *first = is_section ? parent.section(keyword.text)
					     : parent.child(keyword.text);
	if (first && !key->repeatable)
		throw ConfigError(keyword.where,
				  "duplicate " + keyword.describe() + " " +
					  scope.where + " (first given at " +
					  place_text(first->where,
						     keyword.where) +
					  ")");

	ConfigNode node;
	node.keyword = keyword.text;
	node.where = keyword.where;
	node.is_section = is_section;
	if (!is_section)
		parse_value(node, *key);
	else
		parse_section(node, *key, scope);
	if (node.keyword == "include") {
		include(parent, node);
		return;
	}
	parent.children.push_back(std::move(node));
}

// `keyword word... ;` with as many words as the key takes.
void Parser::parse_value(ConfigNode &node, const KeySpec &key)
{
	std::vector<Token> words;
	Token t = next();
	for (; is_word(t); t = next())
		words.push_back(t);

	const size_t wanted =
		words.empty() ? 1 : value_word_count(key, words[0].text);
	if (words.size() < wanted) {
		// "address 10.0.0.1;" is a bad address more than a short one.
		if (!words.empty())
			check_words(key, words);
		throw ConfigError(t.where, "missing value for '" +
						   node.keyword +
						   "' (expected " +
						   expected_value(key) + ")");
	}
	// A forgotten ';' shows up as words beyond what the key takes.
	const Token &after = words.size() > wanted ? words[wanted] : t;
	if (words.size() > wanted || t.kind != TokenKind::Semicolon)
		throw ConfigError(words[wanted - 1].end(),
				  "missing ';' after '" + node.keyword +
					  join_words(words, wanted) +
					  "' (expected ';' before " +
					  after.describe() + ")");

	node.value = check_words(key, words);
}

// `keyword [NAME] { body }`
void Parser::parse_section(ConfigNode &node, const KeySpec &key,
			   const Scope &scope)
{
	Token t = next();
	if (key.shape == Shape::NamedSection) {
		if (!is_word(t))
			throw ConfigError(
				t.where, "missing name after '" + node.keyword +
						 "' (expected '" +
						 node.keyword + " NAME {')");
		node.name = t.text;
		node.name_where = t.where;
		t = next();
	}
	const Scope inner = nested_scope(scope, node);
	if (t.kind != TokenKind::OpenBrace)
		throw ConfigError(t.where, "expected '{' after '" +
						   inner.label + "' (found " +
						   t.describe() + ")");
	parse_body(node, *key.body, inner, &t);
}

} // namespace

const ConfigNode *ConfigNode::child(std::string_view kw) const
{
	for (const ConfigNode &c : children)
		if (c.keyword == kw && !c.is_section)
			return &c;
	return nullptr;
}

const ConfigNode *ConfigNode::section(std::string_view kw) const
{
	for (const ConfigNode &c : children)
		if (c.keyword == kw && c.is_section)
			return &c;
	return nullptr;
}

std::vector<const ConfigNode *> ConfigNode::all(std::string_view kw) const
{
	std::vector<const ConfigNode *> found;
	for (const ConfigNode &c : children)
		if (c.keyword == kw && c.is_section)
			found.push_back(&c);
	return found;
}

ConfigNode parse_config_tree(std::string_view text, const std::string &file)
{
	ConfigNode root;
	Parser(text, file, 0).parse_into(root);
	return root;
}

std::string place_text(const Location &first, const Location &here)
{
	const std::string line = std::to_string(first.line);
	return first.file == here.file ? "line " + line
				       : first.file + ":" + line;
}

} // namespace rdbd
