package jsrt

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"
)

// Program is a compiled bundle (CommonJS, as esbuild writes it with --format=cjs), shared by all VUs.
type Program struct {
	filename string
	compiled *goja.Program
}

// The bundle runs inside a function that receives CommonJS's module, exports and require. The
// prefix stays on the bundle's first line so line numbers (and the inline source map) stay valid,
// and goja's parser skips the closing "})" line when it looks for the sourceMappingURL comment.
const (
	moduleWrapperPrefix = "(function (module, exports, require) {"
	moduleWrapperSuffix = "\n})"
)

// Compile compiles the bundle. Errors carry file:line, source-mapped when the bundle has an inline
// source map.
func Compile(filename string, source []byte) (*Program, error) {
	wrapped := moduleWrapperPrefix + string(source) + moduleWrapperSuffix
	ast, err := parser.ParseFile(nil, filename, wrapped, 0, parser.WithSourceMapLoader(refuseExternalSourceMap))
	if err != nil {
		return nil, compileError(err)
	}
	compiled, err := goja.CompileAST(ast, false)
	if err != nil {
		return nil, compileError(err)
	}
	return &Program{filename: filename, compiled: compiled}, nil
}

// refuseExternalSourceMap keeps source maps inline: a bundle naming a map file elsewhere gets none
// rather than reading arbitrary paths.
func refuseExternalSourceMap(path string) ([]byte, error) {
	return nil, fmt.Errorf("external source map %q not loaded", path)
}

func compileError(err error) error {
	var list parser.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		first := list[0]
		return &ScriptError{
			Message: "SyntaxError: " + first.Message,
			Source:  bundlePosition(first.Position.Filename, first.Position.Line, first.Position.Column),
			Stack:   redactWrapper(err.Error()),
		}
	}
	var syntax *goja.CompilerSyntaxError
	if errors.As(err, &syntax) && syntax.File != nil {
		position := syntax.File.Position(syntax.Offset)
		return &ScriptError{
			Message: "SyntaxError: " + syntax.Message,
			Source:  bundlePosition(position.Filename, position.Line, position.Column),
			Stack:   redactWrapper(err.Error()),
		}
	}
	return &ScriptError{Message: redactWrapper(err.Error())}
}

// bundlePosition formats an unmapped position in the bundle, undoing the wrapper's shift of line 1.
func bundlePosition(filename string, line, column int) string {
	if line == 1 && column > len(moduleWrapperPrefix) {
		column -= len(moduleWrapperPrefix)
	}
	return formatPosition(filename, line, column)
}

func redactWrapper(message string) string {
	return strings.ReplaceAll(message, moduleWrapperPrefix, "")
}

// position formats a stack frame's position. goja maps positions through the inline source map;
// mapped columns come back 0-based (source map convention), unmapped ones 1-based.
func (p *Program) position(position file.Position) string {
	if position.Filename == p.filename {
		return bundlePosition(position.Filename, position.Line, position.Column)
	}
	return formatPosition(position.Filename, position.Line, position.Column+1)
}
