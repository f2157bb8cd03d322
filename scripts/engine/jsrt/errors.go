package jsrt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// Unwrap returns the Go error behind the exception (an *UnsupportedError, for instance), if any.
func (e *ScriptError) Unwrap() error { return e.cause }

// callError turns what goja returns from running script code into the engine's errors: an
// interrupt becomes the interrupting context's error, an exception a *ScriptError.
func (p *Program) callError(err error) error {
	if err == nil {
		return nil
	}
	var interrupted *goja.InterruptedError
	if errors.As(err, &interrupted) {
		if cause, ok := interrupted.Value().(error); ok {
			return cause
		}
		return fmt.Errorf("interrupted: %v", interrupted.Value())
	}
	var exception *goja.Exception
	if errors.As(err, &exception) {
		return p.scriptError(exception)
	}
	return err
}

func (p *Program) scriptError(exception *goja.Exception) *ScriptError {
	result := &ScriptError{Message: exceptionMessage(exception), cause: exception.Unwrap()}
	var stack strings.Builder
	stack.WriteString(result.Message)
	for _, frame := range exception.Stack() {
		position := frame.Position()
		if position.Filename == "" {
			continue
		}
		at := p.position(position)
		if result.Source == "" {
			result.Source = at
		}
		stack.WriteString("\n\tat ")
		if name := frame.FuncName(); name != "" && name != "<anonymous>" {
			stack.WriteString(name + " (" + at + ")")
		} else {
			stack.WriteString(at)
		}
	}
	result.Stack = stack.String()
	return result
}

func exceptionMessage(exception *goja.Exception) string {
	if cause := exception.Unwrap(); cause != nil {
		return cause.Error()
	}
	value := exception.Value()
	if value == nil || goja.IsUndefined(value) {
		return "undefined"
	}
	return value.String()
}

// formatPosition prints file:line:column, with absolute paths under the working directory made
// relative so they read like the paths in the repository ("scenarios/lib/requests.ts:25:3").
func formatPosition(filename string, line, column int) string {
	return displayPath(filename) + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(column)
}

func displayPath(filename string) string {
	filename = strings.TrimPrefix(filename, "file://")
	if !filepath.IsAbs(filename) {
		return filename
	}
	workingDir, err := os.Getwd()
	if err != nil {
		return filename
	}
	relative, err := filepath.Rel(workingDir, filename)
	if err != nil || strings.HasPrefix(relative, "..") {
		return filename
	}
	return relative
}
