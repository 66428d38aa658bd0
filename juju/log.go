package juju

import (
	"context"
	"unicode/utf8"
)

// LogLevel is a juju-log level.
type LogLevel string

// Levels juju-log understands; Juju turns anything else into INFO.
const (
	LogTrace   LogLevel = "TRACE"
	LogDebug   LogLevel = "DEBUG"
	LogInfo    LogLevel = "INFO"
	LogWarning LogLevel = "WARNING"
	LogError   LogLevel = "ERROR"
)

// maxLogChunk is the longest message ops hands to one juju-log call; longer
// messages are split so none is rejected for its size.
const maxLogChunk = 131071

// Log writes a message to the unit's debug log
// (juju-log --log-level <LEVEL> -- <message>). Never log secret content.
func (c *Client) Log(ctx context.Context, level LogLevel, msg string) error {
	for {
		chunk := msg
		if len(chunk) > maxLogChunk {
			cut := maxLogChunk
			for cut > 0 && !utf8.RuneStart(msg[cut]) {
				cut-- // keep multi-byte characters whole
			}
			chunk = msg[:cut]
		}
		if _, err := c.run(ctx, nil, "juju-log", "--log-level", string(level), "--", chunk); err != nil {
			return err
		}
		msg = msg[len(chunk):]
		if msg == "" {
			return nil
		}
	}
}
