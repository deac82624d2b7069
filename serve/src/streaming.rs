//! Bridges between the async HTTP bodies and the blocking batch evaluator on a worker thread: the
//! request body as a [`Read`], the response body fed by a [`Write`]. Both sides go through bounded
//! channels, so a fast reader waits for a slow writer (and the other way round) and memory stays
//! flat whatever the size of the book.

use std::io::{Read, Write};

use bytes::Bytes;
use futures_util::StreamExt as _;
use tokio::sync::mpsc;

/// Chunks buffered between the network and the worker, each way.
const CHUNKS: usize = 8;

/// Bytes collected before a chunk of output is sent.
const OUTPUT_CHUNK: usize = 64 << 10;

/// The request body, read on a worker thread.
pub struct BodyReader {
    chunks: mpsc::Receiver<Result<Bytes, std::io::Error>>,
    current: Bytes,
}

/// Starts forwarding `body` into a [`BodyReader`]: the forwarding runs as a task on the async
/// runtime, the reading on the worker that holds the reader. The first chunk is awaited here,
/// before the response starts: a client that sent `Expect: 100-continue` (curl does, for large
/// bodies) gets its `100 Continue` then, rather than waiting a second for it to time out.
pub async fn body_reader(body: axum::body::Body) -> BodyReader {
    let (sender, chunks) = mpsc::channel(CHUNKS);
    let mut stream = body.into_data_stream();
    let (current, more) = match stream.next().await {
        Some(Ok(chunk)) => (chunk, true),
        Some(Err(error)) => {
            // The error reaches the reader on its first read.
            let _ = sender.try_send(Err(std::io::Error::other(error)));
            (Bytes::new(), false)
        }
        None => (Bytes::new(), false),
    };
    if more {
        tokio::spawn(async move {
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(std::io::Error::other);
                let failed = chunk.is_err();
                if sender.send(chunk).await.is_err() || failed {
                    return;
                }
            }
        });
    }
    BodyReader { chunks, current }
}

impl Read for BodyReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(error)) => return Err(error),
                None => return Ok(0),
            }
        }
        let length = buffer.len().min(self.current.len());
        let chunk = self.current.split_to(length);
        buffer[..length].copy_from_slice(&chunk);
        Ok(length)
    }
}

/// The response body, written on a worker thread in chunks of [`OUTPUT_CHUNK`] bytes.
pub struct BodyWriter {
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
    pending: Vec<u8>,
}

/// A writer and the response body it feeds.
pub fn body_writer() -> (BodyWriter, axum::body::Body) {
    let (sender, receiver) = mpsc::channel(CHUNKS);
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let writer = BodyWriter {
        sender,
        pending: Vec::with_capacity(OUTPUT_CHUNK),
    };
    (writer, axum::body::Body::from_stream(stream))
}

impl BodyWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.pending,
            Vec::with_capacity(OUTPUT_CHUNK),
        ));
        self.sender.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the client closed the connection",
            )
        })
    }
}

impl Write for BodyWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= OUTPUT_CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

impl Drop for BodyWriter {
    fn drop(&mut self) {
        // What is left goes out when the writer is done; a closed connection has nobody to tell.
        let _ = self.send();
    }
}
