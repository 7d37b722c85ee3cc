//! One way to build the application, used by `main`, `demo` and every test: connect the
//! store, migrate, build the schema and router, bind the listener (port 0 in tests).

use std::{net::SocketAddr, sync::Arc};

use tokio::net::TcpListener;

use crate::{
    config::Settings,
    graphql,
    http::{AppState, router},
    jobs::Reminders,
    service::Services,
    store::{Store, StoreError},
};

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Setup(#[from] crate::service::SetupError),
    #[error(transparent)]
    Reminders(#[from] crate::jobs::RemindSetupError),
    #[error("the server failed: {0}")]
    Serve(std::io::Error),
}

/// Whether to apply pending migrations on start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Migrate {
    Yes,
    No,
}

/// A built application, bound to its address and ready to serve.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    reminders: Reminders,
}

impl Application {
    /// Connects, migrates (unless told not to), builds the router and binds the listener.
    pub async fn build(settings: &Settings, migrate: Migrate) -> Result<Self, StartupError> {
        let store = Store::connect(&settings.database_url, settings.db_max_connections).await?;
        if migrate == Migrate::Yes {
            store.migrate().await?;
        }
        Self::with_store(settings, store).await
    }

    /// Builds the application over an already opened store.
    pub async fn with_store(settings: &Settings, store: Store) -> Result<Self, StartupError> {
        crate::telemetry::handle();
        let services = Services::from_settings(store, settings)?;
        let reminders = Reminders::new(services.clone(), settings)?;
        let schema = graphql::build_schema(services.clone(), reminders.clone(), &settings.limits);
        let state = AppState {
            schema,
            services,
            limits: Arc::new(settings.limits.clone()),
            public_url: settings.public_url.as_str().into(),
            metrics_token: settings.metrics_token.clone(),
            reminders: reminders.clone(),
        };
        let listener =
            TcpListener::bind(settings.bind)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: settings.bind,
                    source,
                })?;
        Ok(Self {
            listener,
            state,
            reminders,
        })
    }

    /// The address the server listens on (the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound TCP listener has a local address")
    }

    /// The reminder sweep and sender of this server.
    pub fn reminders(&self) -> &Reminders {
        &self.reminders
    }

    /// The services behind the server (tests use them to arrange data).
    pub fn services(&self) -> &Services {
        &self.state.services
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let services = self.state.services.clone();
        let app = router(self.state);
        // Reminders sweep and send beside the server, and stop with it.
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let background = tokio::spawn(self.reminders.run_until(async {
            let _ = stopped.await;
        }));
        // Changes cross instances through PostgreSQL, beside the server, and stop with it.
        let (relay_stop, relay_stopped) = tokio::sync::oneshot::channel::<()>();
        let relay = {
            tokio::spawn(async move {
                services
                    .relay_changes(async {
                        let _ = relay_stopped.await;
                    })
                    .await;
            })
        };
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(StartupError::Serve);
        let _ = stop.send(());
        let _ = relay_stop.send(());
        let _ = background.await;
        let _ = relay.await;
        served
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
