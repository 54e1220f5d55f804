#include "config_lexer.h"

namespace rdbd {

namespace {

bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

bool ends_word(char c)
{
	return is_blank(c) || c == ';' || c == '{' || c == '}' || c == '"' ||
	       c == '#';
}

} // namespace

Location Token::end() const
{
	Location l = where;
	l.col += source_length;
	return l;
}

std::string Token::describe() const
{
	switch (kind) {
	case TokenKind::Word:
		return "'" + text + "'";
	case TokenKind::String:
		return "\"" + text + "\"";
	case TokenKind::OpenBrace:
		return "'{'";
	case TokenKind::CloseBrace:
		return "'}'";
	case TokenKind::Semicolon:
		return "';'";
	case TokenKind::End:
		break;
	}
	return "the end of the file";
}

Lexer::Lexer(std::string_view text, std::string file)
	: text_(text), file_(std::move(file))
{
}

void Lexer::advance()
{
	if (text_[pos_] == '\n') {
		++line_;
		col_ = 1;
	} else {
		++col_;
	}
	++pos_;
}

void Lexer::skip_blanks_and_comments()
{
	while (!at_end()) {
		if (is_blank(peek())) {
			advance();
		} else if (peek() == '#') {
			while (!at_end() && peek() != '\n')
				advance();
		} else {
			return;
		}
	}
}

Token Lexer::next()
{
	skip_blanks_and_comments();
	if (at_end())
		return {TokenKind::End, "", here(), 0};

	const char c = peek();
	if (c == '"')
		return read_string();
	if (c == '{' || c == '}' || c == ';') {
		Token t{c == '{'   ? TokenKind::OpenBrace
			: c == '}' ? TokenKind::CloseBrace
				   : TokenKind::Semicolon,
			std::string(1, c), here(), 1};
		advance();
		return t;
	}
	return read_word();
}

Token Lexer::read_word()
{
	Token t{TokenKind::Word, "", here(), 0};
	const size_t start = pos_;
	while (!at_end() && !ends_word(peek()))
		advance();
	t.text.assign(text_.substr(start, pos_ - start));
	t.source_length = static_cast<int>(pos_ - start);
	return t;
}

// Strings end on their line: a missing quote is reported where it opened
// instead of swallowing the rest of the file.
Token Lexer::read_string()
{
	Token t{TokenKind::String, "", here(), 0};
	const size_t start = pos_;
	advance(); // opening quote
	for (;;) {
		if (at_end() || peek() == '\n')
			throw ConfigError(t.where,
					  "unterminated string (expected "
					  "a closing '\"' on the same "
					  "line)");
		const char c = peek();
		advance();
		if (c == '"')
			break;
		if (c == '\\' && (peek() == '"' || peek() == '\\')) {
			t.text += peek();
			advance();
		} else {
			t.text += c;
		}
	}
	t.source_length = static_cast<int>(pos_ - start);
	return t;
}

} // namespace rdbd
