//! The WebSocket: unknown messages answered without disconnecting, slow clients dropped.

use super::common::*;
use serde_json::json;

#[tokio::test]
async fn websocket_answers_unknown_messages_without_disconnecting() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = serve();
    let mut ws = ws_connect(&server).await;
    let welcome = next_json(&mut ws).await;
    assert_eq!(welcome["type"], "welcome");
    assert_eq!(welcome["data"]["subscribed"], json!(["jobs", "transport"]));

    let exchanges = [
        (json!({"type": "fly", "data": {}}).to_string(), "unknown_message_type"),
        ("not json".to_string(), "malformed_message"),
        (json!({"type": "subscribe", "data": {"streams": ["nope"]}}).to_string(), "unknown_stream"),
    ];
    for (sent, code) in exchanges {
        ws.send(Message::Text(sent.into())).await.unwrap();
        let reply = next_json(&mut ws).await;
        assert_eq!(reply["type"], "error");
        assert_eq!(reply["data"]["code"], code, "{reply}");
    }
    assert_eq!(next_json(&mut ws).await["type"], "subscribed", "the subscription list follows a subscribe");
    ws.send(Message::Binary(vec![1, 2, 3].into())).await.unwrap();
    assert_eq!(next_json(&mut ws).await["data"]["code"], "unsupported_message");
    send_json(&mut ws, &json!({"type": "unsubscribe", "data": {"streams": ["jobs", "transport"]}})).await;
    assert_eq!(next_json(&mut ws).await, json!({"type": "subscribed", "data": {"streams": []}}));
    send_json(&mut ws, &json!({"type": "ping", "data": {"n": 7}})).await;
    assert_eq!(next_json(&mut ws).await, json!({"type": "pong", "data": {"n": 7}}));
    server.assert_alive().await;
}

#[tokio::test]
async fn a_slow_websocket_client_is_dropped_from_the_topic_without_slowing_others() {
    let server = serve();
    let hub = server.handle.hub().clone();
    hub.declare("bulk", false);
    let url = format!("ws://{}/ws?streams=bulk", server.handle.addr());
    let (mut fast, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let (mut slow, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    assert_eq!(next_json(&mut fast).await["data"]["subscribed"], json!(["bulk"]));
    assert_eq!(next_json(&mut slow).await["data"]["subscribed"], json!(["bulk"]));
    // 12 MB in 4 kB messages: far more than the slow client's socket buffers and queue hold.
    // The fast client reads every batch before the next is published, and gets them all.
    let padding = "x".repeat(4096);
    let (batches, per_batch) = (30, 100);
    for batch in 0..batches {
        for i in 0..per_batch {
            assert!(
                hub.publish("bulk", "blob", json!({"n": batch * per_batch + i, "padding": padding})) >= 1
            );
        }
        for i in 0..per_batch {
            assert_eq!(next_json(&mut fast).await["data"]["n"], batch * per_batch + i);
        }
    }
    // The slow client now reads: the stream stops with a slow_consumer error, well before the end.
    let mut received = 0;
    let dropped = loop {
        let message = next_json(&mut slow).await;
        match message["type"].as_str().unwrap() {
            "blob" => received += 1,
            "error" => break message,
            other => panic!("unexpected {other}"),
        }
    };
    assert_eq!(dropped["data"]["code"], "slow_consumer");
    assert!(received < batches * per_batch, "dropped after {received}");
    // It can subscribe again, and the connection is still alive.
    send_json(&mut slow, &json!({"type": "subscribe", "data": {"streams": ["bulk"]}})).await;
    assert_eq!(next_json(&mut slow).await["data"]["streams"], json!(["bulk"]));
    hub.publish("bulk", "blob", json!({"n": -1}));
    assert_eq!(next_json(&mut slow).await["data"]["n"], -1);
}
